"""Demo shipments in every state, one with an excursion awaiting QA (get-or-create)."""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import User
from app.core import clock
from app.shipments.models import Shipment
from app.shipments.services.dispatch import dispatch_shipment, mark_delivered
from app.shipments.services.logger import attach_logger_file
from app.shipments.services.orders import cancel_shipment, close_shipment, create_shipment
from app.shipments.services.picking import (
    finish_picking,
    pack_shipment,
    pick_kit,
    propose_kits,
)
from app.shipments.services.receipt import receive_shipment, scan_at_receipt
from app.stock.api import (
    Location,
    Lot,
    Product,
    ResupplyLevel,
    create_depot,
    kit_types,
    random_kit_numbers,
    receive_new_kits,
    save_kit_type,
    save_kit_type_level,
    save_resupply_level,
    site_location,
)
from app.trials.api import Site, Trial

TRIAL = "ONC-2024-017"
COLD_PRODUCT = "Comparador ONC refrigerado"
COLD_LOT = "CMP-FR-2026-01"
MARK = "[demo]"
# (key, site number, final state, kits)
PLAN = [
    ("draft", "002", "draft", 4), ("ordered", "002", "ordered", 3),
    ("picked", "003", "picked", 2), ("packed", "003", "packed", 2),
    ("shipped", "001", "shipped", 3), ("delivered", "001", "delivered", 2),
    ("excursion", "001", "received", 3), ("discrepancy", "001", "received", 3),
    ("closed", "001", "closed", 2), ("cancelled", "002", "cancelled", 2),
]


def _depot(session):
    """Return the demo depot (the stock demo's when present) and where cold kits are kept."""
    depot = session.scalar(select(Location).where(Location.kind == "depot")
                           .order_by(Location.id).limit(1))
    if depot is None:
        depot = create_depot(session, "DEP-TC", "Depósito central Tres Cantos",
                             zones=[("DEP-TC-FR", "Cámara fría", "2-8 °C")])
    cold = session.scalar(select(Location).where(Location.parent_id == depot.id,
                                                 Location.storage_note == "2-8 °C")
                          .order_by(Location.id).limit(1))
    return depot, cold or depot


def _cold_stock(session, trial, store, report):
    """Receive, once, 60 kits of a refrigerated comparator for the cold-chain demo."""
    if session.scalar(select(Lot.id).where(Lot.number == COLD_LOT)):
        return
    product = session.scalar(select(Product).where(Product.name == COLD_PRODUCT))
    if product is None:
        product = Product(name=COLD_PRODUCT, kind="comparator", strength="100 mg/ml",
                          form="Solución inyectable", route="Subcutánea", units_per_kit=4,
                          storage_min_c=2, storage_max_c=8, gtin="08412345000027")
        session.add(product)
        session.flush()
    if not any(product in t.products for t in kit_types(session, trial)):
        save_kit_type(session, trial, "CMP", "Comparador 100 mg/ml, 4 jeringas (2-8 °C)",
                      [product.id])
    # Expires before the stock demo's lots, so first-expiry-first-out proposes it first.
    lot = Lot(number=COLD_LOT, product_id=product.id, trial_id=trial.id,
              manufacturer="Iberia Pharma Manufacturing",
              expires_on=clock.today() + timedelta(days=400), status="released")
    session.add(lot)
    session.flush()
    rows = [(n, lot, None) for n in random_kit_numbers(session, trial, 60)]
    receive_new_kits(session, trial, store, rows, document_ref="REC-DEMO-FRIO")
    report.append(f"received 60 kits of {COLD_PRODUCT} (2-8 °C) at {store.code}")


def logger_csv(start, hours=30, excursion=False):
    """Return a 5-minute logger export; with excursion, about 50 minutes above 8 °C."""
    lines = ["timestamp,temperature"]
    for i in range(hours * 12):
        value = 5.0 + 1.2 * math.sin(i / 15)
        if excursion and 140 <= i < 150:
            value = 8.6 + (i - 140) * 0.5 if i < 145 else 11.0 - (i - 145) * 0.5
        lines.append(f"{(start + timedelta(minutes=5 * i)):%Y-%m-%dT%H:%M:%S}Z,{value:.1f}")
    return ("\n".join(lines) + "\n").encode()


def _advance(session, shipment, target, users):
    logistics, site_user = users
    order = ["draft", "ordered", "picked", "packed", "shipped", "delivered", "received",
             "closed"]
    if target == "cancelled":
        propose_kits(session, shipment)
        cancel_shipment(session, shipment, "Demo: pedido duplicado")
        return
    reach = order.index(target)
    if reach >= 1:
        propose_kits(session, shipment)
        picks = shipment.lines if reach >= 2 else shipment.lines[:1]
        for line in list(picks):
            pick_kit(session, shipment, line.kit.kit_number, by=logistics)
    if reach >= 2:
        finish_picking(session, shipment)
    if reach >= 3:
        pack_shipment(session, shipment, boxes=1, box_ids="CAJA-1",
                      logger_ids=f"LG-{shipment.id:04d}")
    if reach >= 4:
        dispatch_shipment(session, shipment, courier="World Courier Iberia",
                          tracking_number=f"WCI{shipment.id:08d}",
                          expected_arrival=clock.today() + timedelta(days=1), by=logistics)
    if reach >= 5:
        mark_delivered(session, shipment)


def _receive(session, shipment, key, users):
    logistics, site_user = users
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    # The trip began when the logger did: packed an hour before, dispatched at its start.
    shipment.packed_at, shipment.dispatched_at = start - timedelta(hours=1), start
    attach_logger_file(session, shipment, logger_csv(start, excursion=key == "excursion"),
                       filename=f"LG-{shipment.id:04d}.csv", serial=f"LG-{shipment.id:04d}",
                       by=logistics)
    lines = list(shipment.lines)
    for index, line in enumerate(lines):
        if key == "discrepancy" and index == len(lines) - 1:
            continue  # not in the box: recorded as missing
        outcome = "damaged" if key == "discrepancy" and index == 0 else "ok"
        scan_at_receipt(session, shipment, line.kit.kit_number, outcome, by=site_user)
    receive_shipment(session, shipment, by=site_user, password=DEMO_PASSWORD,
                     logger_confirmed=True, missing_confirmed=True, comment="Demo")
    if key == "closed":
        close_shipment(session, shipment)


def _resupply_level(session, trial, report):
    """Raise site 001's resupply level so the resupply page proposes a shipment there."""
    site = session.scalar(select(Site).where(Site.trial_id == trial.id,
                                             Site.site_number == "001"))
    if site is None:
        return
    level = session.scalar(select(ResupplyLevel).where(ResupplyLevel.site_id == site.id))
    if level is None or level.minimum < 10:
        save_resupply_level(session, site, 10, 20)
        for kit_type in kit_types(session, trial):  # the trial resupplies per kit type
            save_kit_type_level(session, site, kit_type, 10, 20)
        report.append("resupply level of ONC-2024-017 site 001 set to 10-20 kits")


def seed_shipments(session, report):
    """Create the demo shipments that do not exist yet."""
    trial = session.scalar(select(Trial).where(Trial.protocol_code == TRIAL))
    logistics = session.scalar(select(User).where(User.email == "logistica@demo.example"))
    site_user = session.scalar(select(User).where(User.email == "farmacia@demo.example"))
    if trial is None or logistics is None or site_user is None:
        report.append("shipments: demo trial or users missing, skipped")
        return
    _resupply_level(session, trial, report)
    existing = set(session.scalars(select(Shipment.notes).where(
        Shipment.notes.like(f"{MARK} %"))))
    if all(f"{MARK} {key}" in existing for key, *_rest in PLAN):
        return
    depot, store = _depot(session)
    _cold_stock(session, trial, store, report)
    sites = {s.site_number: s for s in session.scalars(select(Site).where(
        Site.trial_id == trial.id))}
    users = (logistics, site_user)
    for key, site_number, target, kits in PLAN:
        note = f"{MARK} {key}"
        if note in existing:
            continue
        shipment = create_shipment(
            session, trial=trial, kind="resupply", origin=depot,
            destination=site_location(session, sites[site_number]), requested_kits=kits,
            expected_arrival=clock.today() + timedelta(days=2), notes=note, by=logistics)
        _advance(session, shipment, "delivered" if target in ("received", "closed")
                 else target, users)
        if target in ("received", "closed"):
            _receive(session, shipment, key, users)
        if key == "shipped":
            # Left eight days ago and still not received: the board shows it overdue.
            shipment.dispatched_at = datetime.now(UTC) - timedelta(days=8)
        session.flush()
        report.append(f"created shipment {shipment.number} ({key})")
