"""Demo returns and destruction: a return received, a verified reconciliation, a sponsor
authorisation and a batch the witness has signed, waiting for logistics (get-or-create)."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import User
from app.core import clock
from app.destruction.models import Authorisation
from app.destruction.services import authorisations, batches, reconciliation, returns
from app.exports.pdf import build_pdf, para
from app.shipments.api import Shipment, create_shipment, propose_kits, scan_at_receipt
from app.stock.api import Kit, Location, move_kits, site_location
from app.trials.api import Site, Trial

TRIAL = "ONC-2024-017"
NOTE = "[demo] return for destruction"
REFERENCE = "SP-ONC-DEST-2026-01"


def _users(session):
    emails = ("logistica@demo.example", "farmacia@demo.example", "qp@demo.example",
              "monitor@demo.example")
    found = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    return [found.get(e) for e in emails]


def seed_destruction(session, report):
    """Create the demo return, reconciliation, authorisation and batch once."""
    trial = session.scalar(select(Trial).where(Trial.protocol_code == TRIAL))
    users = _users(session)
    depot = session.scalar(select(Location).where(Location.kind == "depot")
                           .order_by(Location.id).limit(1))
    if trial is None or depot is None or None in users:
        report.append("destruction: demo trial, depot or users missing, skipped")
        return
    if session.scalar(select(Authorisation.id).where(Authorisation.reference == REFERENCE)):
        return
    logistics, pharmacist, qp, monitor = users
    zone = returns.ensure_returns_zone(session, depot).location
    site = session.scalar(select(Site).where(Site.trial_id == trial.id,
                                             Site.site_number == "001"))
    here = site_location(session, site)
    kits = session.scalars(select(Kit).where(Kit.location_id == here.id,
                                             Kit.state.in_(("available", "received")))
                           .order_by(Kit.kit_number).limit(3)).all()
    if len(kits) < 3:
        report.append("destruction: too few kits at site 001, skipped")
        return
    move_kits(session, kits[:2], "damaged", "damage", by=pharmacist,
              reason="Cadena de frío rota en la nevera de la farmacia")
    move_kits(session, kits[2:], "expired", "expiry", by=pharmacist)
    shipment = _return(session, trial, here, zone, logistics, pharmacist)
    report.append(f"return {shipment.number} received into {zone.code}: 3 kits pending "
                  "destruction")
    today = clock.today()
    rec = reconciliation.draw_up(session, site, today - timedelta(days=90), today,
                                 by=logistics)
    for difference in reconciliation.unexplained(rec):
        reconciliation.explain(session, rec, difference["key"],
                               "Comprobado con los registros del farmacéutico del centro.",
                               by=pharmacist)
    reconciliation.close(session, rec, by=logistics)
    reconciliation.verify(session, rec, signer=monitor, password=DEMO_PASSWORD)
    document = build_pdf("Authorisation to destroy", [para(
        f"The sponsor authorises the destruction of the returned kits of {TRIAL}.")])
    auth = authorisations.record_authorisation(
        session, trial, reference=REFERENCE, signed_on=today, signed_by="Dra. Ana Sponsor",
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=180),
        sponsor_email="qa.sponsor@demo.example", document=document,
        document_name="authorisation.pdf", by=logistics)
    batch = batches.create_batch(
        session, auth, method="incineration", contractor="Gestión de Residuos Sanitarios SL",
        contractor_licence="13G01-2026-000123", place="Planta de incineración, Getafe",
        destroyed_on=today, weight_kg="1.8", by=logistics)
    batches.add_kits(session, batch)
    _demo_device(session, trial, depot, logistics, batch, report)
    batches.witness(session, batch, signer=qp, password=DEMO_PASSWORD)
    report.append(f"destruction batch {batch.number} signed by the witness, to execute")



def _return(session, trial, here, zone, logistics, pharmacist):
    from app.shipments.services.dispatch import dispatch_shipment
    from app.shipments.services.picking import finish_picking, pack_shipment

    existing = session.scalar(select(Shipment).where(Shipment.notes == NOTE))
    if existing is not None:
        return existing
    shipment = create_shipment(session, trial=trial, kind="return", origin=here,
                               destination=zone, requested_kits=3, notes=NOTE,
                               expected_arrival=clock.today() + timedelta(days=1), by=logistics)
    propose_kits(session, shipment)
    conditions = {"damaged": "damaged", "expired": "expired"}
    for line in list(shipment.lines):
        returns.declare_returned_kit(session, shipment, line.kit.kit_number,
                                     conditions.get(line.kit.state, "empty"), by=pharmacist)
    finish_picking(session, shipment)
    pack_shipment(session, shipment, boxes=1)
    dispatch_shipment(session, shipment, courier="MRW", tracking_number="MRW-RET-0001",
                      expected_arrival=clock.today(), by=logistics)
    for line in shipment.lines:
        scan_at_receipt(session, shipment, line.kit.kit_number, "ok", by=logistics)
    returns.receive_return(session, shipment, by=logistics, password=DEMO_PASSWORD)
    return shipment


def _demo_device(session, trial, depot, logistics, batch, report):
    """An infusion pump of the trial, worn out at the depot, set aside and put in the batch."""
    from app.destruction.services.batch_devices import add_devices
    from app.devices.api import create_device, create_model, move

    model = create_model(session, manufacturer="B. Braun", model="Perfusor Space",
                         device_class="IIb", kind="infusion_pump", udi_di="04046964000017")
    device = create_device(session, model=model, serial="PUMP-DST-0001",
                           owner="Ensayo Logística Clínica S.L.", trial_id=trial.id,
                           location_id=depot.id)
    move(session, device, "retire", by=logistics, reason="Motor fault, beyond repair")
    move(session, device, "set_for_destruction", by=logistics,
         reason="El promotor autoriza la destrucción de los kits devueltos")
    add_devices(session, batch, [device.serial])
    report.append(f"device {device.serial} pending destruction, in batch {batch.number}")
