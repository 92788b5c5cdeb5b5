"""Demo stock: products, lots (one near expiry), kits in every state, dispensings (idempotent)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.core import clock
from app.core.models import utcnow
from app.stock.models import Location, Lot, Product
from app.stock.services.catalog import (
    create_blinded_lot,
    create_depot,
    save_resupply_level,
    save_supply_settings,
    site_location,
)
from app.stock.services.kits import generate_kits
from app.stock.services.kittypes import save_kit_type, save_kit_type_level, set_visit_kit_types
from app.stock.services.ledger import move_kits, transition
from app.stock.services.site import dispense_kit, propose_kit, return_kit
from app.stock.services.storage import record_manual_excursion
from app.trials.api import Site, Subject

DEPOT_CODE = "DEP-MAD"


def _product(session, name, kind, report):
    product = session.scalar(select(Product).where(Product.name == name))
    if product is None:
        product = Product(name=name, kind=kind, strength="100 mg", form="Comprimido recubierto",
                          route="Oral", units_per_kit=28, storage_min_c=Decimal("15.0"),
                          storage_max_c=Decimal("25.0"),
                          gtin="08412345000010" if kind != "placebo" else None)
        session.add(product)
        session.flush()
        report.append(f"created product {name}")
    return product


def _lot(session, number, product, expires_on, report):
    lot = session.scalar(select(Lot).where(Lot.number == number))
    if lot is None:
        lot = Lot(number=number, product_id=product.id, manufacturer="Iberia Pharma Manufacturing",
                  manufactured_on=clock.today() - timedelta(days=200), expires_on=expires_on,
                  status="released")
        session.add(lot)
        session.flush()
        report.append(f"created lot {number}")
    return lot


def _kit_types(session, trial, sites, products):
    """The trial's kit type (active and placebo, blinded), what each visit dispenses, the
    levels per site and kit type, and the products' stability budget."""
    kit_type = save_kit_type(session, trial, "IBX", "IBX-201 100 mg o placebo, 28 comprimidos",
                             [p.id for p in products])
    for visit in trial.visits:
        if visit.number >= 2:
            set_visit_kit_types(session, visit, {kit_type: 1})
    for number, (low, high) in {"001": (4, 12), "002": (3, 10), "003": (2, 8)}.items():
        save_kit_type_level(session, sites[number], kit_type, low, high)
    for product in products:  # stability data: 72 h between 2 and 30 °C, never below 0 °C
        product.budget_hours, product.budget_low_c = Decimal(72), Decimal(2)
        product.budget_high_c, product.absolute_min_c = Decimal(30), Decimal(0)


def seed_stock(session, trials, users, report):
    """Create the demo stock once; later runs say it is already there."""
    if session.scalar(select(Location.id).where(Location.code == DEPOT_CODE)):
        report.append("stock demo already present")
        return
    today = clock.today()
    trial = trials["ONC-2024-017"]
    logistics = users["logistica@demo.example"]
    pharmacist = users["farmacia@demo.example"]
    create_depot(session, DEPOT_CODE, "Depósito central Tres Cantos", zones=[
        ("DEP-MAD-AMB", "Almacén ambiente", "15-25 °C"), ("DEP-MAD-FR", "Cámara fría", "2-8 °C")])
    ambient = session.scalar(select(Location).where(Location.code == "DEP-MAD-AMB"))
    report.append("created depot DEP-MAD with two storage zones")
    save_supply_settings(session, trial, 60, 30, "demo set-up")
    active = _product(session, "IBX-201", "investigational", report)
    placebo = _product(session, "Placebo de IBX-201", "placebo", report)
    main = create_blinded_lot(session, trial, "BL-ONC-01", [
        _lot(session, "IBX24A01", active, today + timedelta(days=540), report),
        _lot(session, "PLB24A01", placebo, today + timedelta(days=500), report)])
    near = create_blinded_lot(session, trial, "BL-ONC-00", [
        _lot(session, "IBX23C07", active, today + timedelta(days=45), report),
        _lot(session, "PLB23C07", placebo, today + timedelta(days=50), report)])
    report.append("created blinded lots BL-ONC-01 and BL-ONC-00 (near expiry)")
    kits = generate_kits(session, trial, main, ambient, 60, by=logistics,
                         document_ref="REC-2026-001")
    short = generate_kits(session, trial, near, ambient, 12, by=logistics,
                          document_ref="REC-2025-044")
    sites = {s.site_number: s for s in session.scalars(
        select(Site).where(Site.trial_id == trial.id))}
    pool = iter(kits)

    def take(n):
        return [next(pool) for _ in range(n)]

    shipments = {"001": take(8) + short[:2], "002": take(3), "003": take(6)}
    arrived = utcnow() - timedelta(days=4)  # the sites have held these kits for four days
    for number, batch in shipments.items():
        location = site_location(session, sites[number])
        location.created_at = utcnow() - timedelta(days=120)  # the site opened months ago
        # Site 003 got half its kits today, after its storage excursion of yesterday.
        for part, when in ((batch[3:], arrived), (batch[:3], None)) if number == "003" else (
                (batch, arrived),):
            move_kits(session, part, "in_transit", "transfer_out", by=logistics,
                      to_location=location, document_ref=f"ENV-DEMO-{number}",
                      occurred_at=when and when - timedelta(hours=20))
            move_kits(session, part, "received", "transfer_in", by=pharmacist,
                      document_ref=f"ENV-DEMO-{number}", occurred_at=when)
    in_transit = take(2)
    move_kits(session, in_transit, "in_transit", "transfer_out", by=logistics,
              to_location=site_location(session, sites["003"]), document_ref="ENV-DEMO-003B")
    save_resupply_level(session, sites["001"], 4, 12)
    save_resupply_level(session, sites["002"], 3, 10)   # holds exactly its minimum
    save_resupply_level(session, sites["003"], 2, 8)
    _kit_types(session, trial, sites, (active, placebo))
    report.append("shipped kits to ONC-2024-017 sites 001, 002, 003 (two still in transit)")

    depot_kits = take(6)
    transition(session, depot_kits[0], "quarantined", "quarantine", by=logistics,
               reason="Desviación de temperatura en almacén", document_ref="DEV-2026-003")
    transition(session, depot_kits[1], "damaged", "damage", by=logistics,
               reason="Caja aplastada en la recepción")
    transition(session, depot_kits[2], "missing", "loss", by=logistics,
               reason="No localizado en el recuento de inventario")
    transition(session, depot_kits[3], "expired", "expiry", by=logistics,
               reason="Caducidad registrada en el recuento")
    transition(session, depot_kits[4], "pending_destruction", "adjustment", by=logistics,
               reason="Apartado para destrucción")
    transition(session, depot_kits[5], "damaged", "damage", by=logistics, reason="Blíster roto")
    transition(session, depot_kits[5], "pending_destruction", "adjustment", by=logistics,
               reason="Apartado para destrucción")
    transition(session, depot_kits[5], "destroyed", "destruction", by=logistics,
               document_ref="CD-2026-001")
    report.append("kits at the depot in every state")

    visits = {v.number: v for v in trial.visits}
    subjects = session.scalars(select(Subject).where(
        Subject.site_id == sites["001"].id, Subject.status == "enrolled")
        .order_by(Subject.code)).all()
    given = []
    for subject, visit_number in ((subjects[0], 2), (subjects[0], 3), (subjects[1], 2)):
        kit = propose_kit(session, subject)
        given.append(dispense_kit(session, subject, visits[visit_number], kit, kit.kit_number,
                                  by=pharmacist,
                                  off_window_reason="Visita reprogramada a petición del "
                                                    "paciente").kit)
    return_kit(session, given[0], units_returned=4, units_missing=2, condition="opened",
               explanation="El paciente refiere haber perdido un blíster", by=pharmacist)
    site_kits = [k for k in shipments["001"] if k.state == "received"]
    transition(session, site_kits[-1], "quarantined", "quarantine", by=pharmacist,
               reason="Envase con el precinto roto")
    report.append("3 dispensings, 1 return and 1 quarantined kit at ONC-2024-017 site 001")
    _storage_excursion(session, sites["003"], report)


def _storage_excursion(session, site, report):
    """Site 003's pharmacy air conditioning failed one night: the kits there wait for QA."""
    start = (utcnow() - timedelta(days=1)).replace(hour=1, minute=10, second=0, microsecond=0)
    excursion = record_manual_excursion(
        session, site_location(session, site), started_at=start,
        ended_at=start + timedelta(hours=2, minutes=15), min_c=None, max_c=27.4,
        comment="Fallo nocturno del aire acondicionado de la farmacia; la temperatura volvió "
                "a rango al reiniciarlo.",
        by=None)
    report.append(f"storage excursion {excursion.reference} at ONC-2024-017 site 003 "
                  "awaiting QA")
