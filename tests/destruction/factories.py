"""Destruction factories: a site with kits come back, reconciled, authorised; batches in states."""

from dataclasses import dataclass
from datetime import timedelta

from app.core import clock
from app.destruction.services import authorisations, batches, reconciliation, returns
from app.shipments.services.dispatch import dispatch_shipment
from app.shipments.services.orders import create_shipment
from app.shipments.services.picking import finish_picking, pack_shipment, propose_kits
from app.shipments.services.receipt import scan_at_receipt
from app.stock.services.ledger import move_kits
from app.stock.services.site import dispense_kit, return_kit
from tests import factories
from tests.factories import PASSWORD
from tests.stock.factories import make_depot, make_kits, make_lot, make_product, ship_to_site

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """What a destruction test starts from."""

    trial: object
    site: object
    site_loc: object
    depot: object
    zone: object
    lot: object
    kits: list
    subject: object
    logistics: object
    logistics2: object
    site_user: object
    qp: object
    monitor: object


def make_world(session, kits=5):
    """Return a site holding kits: one returned by its subject, one damaged, one expired."""
    trial = factories.make_trial(session)
    site = factories.make_site(session, trial)
    visit = factories.make_visit(session, trial)
    subject = factories.make_subject(session, site, enrolment_date=None)  # no visit window
    depot = make_depot(session, "Madrid depot", zones=())
    zone = returns.ensure_returns_zone(session, depot).location
    product = make_product(session, units_per_kit=28)
    lot = make_lot(session, product, trial)
    kit_list = make_kits(session, trial, kits, lot=lot, depot=depot,
                         prefix=f"D{factories.next_number():03d}")
    site_loc = ship_to_site(session, kit_list, site)
    users = dict(
        logistics=factories.make_user(session, roles=("logistics",)),
        logistics2=factories.make_user(session, roles=("logistics",)),
        site_user=factories.make_user(session, roles=("site",), sites=[site]),
        qp=factories.make_user(session, roles=("qp",)),
        monitor=factories.make_user(session, roles=("monitor",)))
    dispense_kit(session, subject, visit, kit_list[0], kit_list[0].kit_number,
                 by=users["site_user"])
    return_kit(session, kit_list[0], units_returned=10, units_missing=2, condition="opened",
               explanation="Subject lost a blister", by=users["site_user"])
    move_kits(session, [kit_list[1]], "damaged", "damage", reason="Dropped")
    move_kits(session, [kit_list[2]], "expired", "expiry")
    return World(trial, site, site_loc, depot, zone, lot, kit_list, subject, **users)


CONDITIONS = (("partly_used", 10), ("damaged", None), ("expired", None))


def make_return(session, world, scan=True):
    """Return a return shipment of the three set-aside kits, scanned at the site, dispatched."""
    shipment = create_shipment(session, trial=world.trial, kind="return", origin=world.site_loc,
                               destination=world.zone, requested_kits=3, by=world.logistics,
                               expected_arrival=clock.today() + timedelta(days=1))
    propose_kits(session, shipment)
    if scan:
        for kit, (condition, units) in zip(world.kits[:3], CONDITIONS, strict=True):
            returns.declare_returned_kit(session, shipment, kit.kit_number, condition, units,
                                         by=world.site_user)
    return shipment


def dispatch_return(session, world, shipment):
    """Finish picking, pack and hand the return to the courier."""
    finish_picking(session, shipment)
    pack_shipment(session, shipment, boxes=1)
    dispatch_shipment(session, shipment, courier="Courier", tracking_number="R1",
                      expected_arrival=clock.today(), by=world.logistics)


def make_received_return(session, world):
    """Return a return received at the depot's returns zone: kits pending destruction."""
    shipment = make_return(session, world)
    dispatch_return(session, world, shipment)
    for kit, outcome in zip(world.kits[:3], ("ok", "damaged", "ok"), strict=True):
        scan_at_receipt(session, shipment, kit.kit_number, outcome, by=world.logistics)
    returns.receive_return(session, shipment, by=world.logistics, password=PASSWORD)
    return shipment


def make_verified(session, world):
    """Return the site's reconciliation, every difference explained, closed and verified."""
    today = clock.today()
    rec = reconciliation.draw_up(session, world.site, today - timedelta(days=30), today,
                                 by=world.logistics)
    for difference in reconciliation.unexplained(rec):
        reconciliation.explain(session, rec, difference["key"], "Explained by the site",
                               by=world.site_user)
    reconciliation.close(session, rec, by=world.logistics)
    reconciliation.verify(session, rec, signer=world.monitor, password=PASSWORD)
    return rec


def make_authorisation(session, world, **values):
    """Return a sponsor authorisation of the whole trial, valid from 30 days ago."""
    today = clock.today()
    defaults = dict(reference=f"AUTH-{factories.next_number()}", signed_on=today,
                    signed_by="Dr. Sponsor", valid_from=today - timedelta(days=30),
                    sponsor_email="sponsor@example.com", document=PDF,
                    document_name="auth.pdf", by=world.logistics)
    return authorisations.record_authorisation(session, world.trial, **{**defaults, **values})


def make_batch(session, world, auth, add=True, **values):
    """Return a draft contractor batch under the authorisation, with every covered kit."""
    defaults = dict(method="incineration", contractor="Ecolab Residuos SL",
                    contractor_licence="GR-28-1234", place="Planta de Getafe",
                    destroyed_on=clock.today(), weight_kg="2.5", by=world.logistics)
    batch = batches.create_batch(session, auth, **{**defaults, **values})
    if add:
        batches.add_kits(session, batch)
    return batch


def make_executed_batch(session, world):
    """Return the executed contractor batch of the site's three returned kits (committed)."""
    make_received_return(session, world)
    make_verified(session, world)
    batch = make_batch(session, world, make_authorisation(session, world))
    batches.witness(session, batch, signer=world.qp, password=PASSWORD)
    batches.execute(session, batch, signer=world.logistics, password=PASSWORD)
    session.commit()
    return batch
