"""Propose kits first-expiry-first-out, confirm them by scan, pack the boxes."""


from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.devices.api import lines_of as device_lines
from app.devices.api import pick_scanned, picked_count
from app.shipments.models import ShipmentKit
from app.shipments.services.stock_bridge import (
    RETURNABLE_STATES,
    kit_by_number,
    location_ids_of,
    shippable_kits,
    shipping_use,
)
from app.shipments.states import SHIPMENT, SHIPMENT_KIT
from app.stock.api import KIT_STATES, USABLE_STATES, check_kit_rules, kit_number_from_scan


def held_kit_ids(session, kit_ids):
    """Return which of the kits an unfinished shipment already holds."""
    if not kit_ids:
        return set()
    return set(session.scalars(select(ShipmentKit.kit_id).where(
        ShipmentKit.holds.is_(True), ShipmentKit.kit_id.in_(kit_ids))))


def propose_kits(session, shipment, today=None, by=None):
    """Order the shipment and propose its kits; return how many could be proposed.

    A shipment of devices only (no kit requested) is ordered with the devices put on it.
    """
    if shipment.status != "draft":
        raise DomainError(_("Only a draft shipment can be ordered."))
    if not shipment.requested_kits:
        if not device_lines(session, shipment.id):
            raise DomainError(_("This shipment asks for no kit: put its devices on it before "
                                "ordering it."))
        apply_transition(session, SHIPMENT, shipment, "order", by=by)
        return 0
    arrival = shipment.expected_arrival or (today or clock.today())
    candidates = shippable_kits(session, shipment, arrival)
    held = held_kit_ids(session, [k.id for k in candidates])
    free = [k for k in candidates if k.id not in held]
    # One shipment travels under one storage condition: that of the first kit proposed.
    if free:
        first = free[0].product
        free = [k for k in free if (k.product.storage_min_c, k.product.storage_max_c)
                == (first.storage_min_c, first.storage_max_c)]
    chosen = free[: shipment.requested_kits]
    if not chosen:
        raise DomainError(_("No kit at %(origin)s can be shipped: none is available, "
                            "released and outside the do-not-ship window on the expected "
                            "arrival date.", origin=shipment.origin.name))
    apply_transition(session, SHIPMENT, shipment, "order", by=by)
    for kit in chosen:
        session.add(ShipmentKit(shipment=shipment, kit=kit, status="proposed"))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise DomainError(_("Another shipment took some of these kits a moment ago. "
                            "Nothing was saved; try again.")) from error
    session.refresh(shipment, ["lines"])
    return len(chosen)


def pick_kit(session, shipment, scanned, by=None):
    """Confirm one proposed kit (or device) by its scanned or typed number; return the line."""
    if shipment.status != "ordered":
        raise DomainError(_("Kits are picked while the shipment is ordered; it is %(s)s.",
                            s=shipment.status_label), "kit_number")
    number = kit_number_from_scan(session, shipment.trial_id, scanned)
    if not number:
        raise DomainError(_("Scan or type a kit number."), "kit_number")
    kit = kit_by_number(session, shipment.trial_id, number)
    if kit is None:
        device_line = pick_scanned(session, shipment, scanned, by)
        if device_line is not None:
            return device_line
        raise DomainError(_("There is no kit %(kit)s in trial %(trial)s.", kit=number[:40],
                            trial=shipment.trial.protocol_code), "kit_number")
    line = session.scalar(select(ShipmentKit).where(ShipmentKit.shipment_id == shipment.id,
                                                    ShipmentKit.kit_id == kit.id))
    if line is not None and line.status == "picked":
        raise DomainError(_("Kit %(kit)s is already picked on this shipment.",
                            kit=kit.kit_number), "kit_number")
    if line is None or line.status == "dropped":
        other = session.scalar(select(ShipmentKit).where(ShipmentKit.kit_id == kit.id,
                                                         ShipmentKit.holds.is_(True)))
        if other is not None:
            raise DomainError(_("Kit %(kit)s is already on shipment %(other)s; it cannot be "
                                "picked here.", kit=kit.kit_number,
                                other=other.shipment.number), "kit_number")
        raise DomainError(_("Kit %(kit)s is not on this shipment's proposal. Pick the "
                            "proposed kits.", kit=kit.kit_number), "kit_number")
    usable = RETURNABLE_STATES if shipment.kind == "return" else USABLE_STATES
    if kit.state not in usable or kit.location_id not in location_ids_of(session,
                                                                           shipment.origin):
        raise DomainError(_("Kit %(kit)s is no longer available to ship (%(state)s). Drop it "
                            "and finish picking without it.", kit=kit.kit_number,
                            state=KIT_STATES.get(kit.state, kit.state)), "kit_number")
    if shipment.kind != "return":
        check_kit_rules(session, kit, shipping_use(shipment))
    apply_transition(session, SHIPMENT_KIT, line, "pick", by=by,
                     values={"picked_by_id": by.id if by else None},
                     changes={"kit": (None, kit.kit_number)})
    return line


def finish_picking(session, shipment, by=None):
    """Close picking: unpicked proposals are dropped and their kits freed."""
    picked = [line for line in shipment.lines if line.status == "picked"]
    if shipment.status == "ordered" and not picked and not picked_count(session, shipment.id):
        raise DomainError(_("Nothing has been picked yet; scan the proposed kits and devices "
                            "first."))
    apply_transition(session, SHIPMENT, shipment, "finish_picking", by=by)
    for line in shipment.lines:
        if line.status == "proposed":
            apply_transition(session, SHIPMENT_KIT, line, "drop", by=by,
                             values={"holds": False})
    return len(picked)


def pack_shipment(session, shipment, *, boxes, box_ids=None, logger_ids=None, by=None):
    """Record the boxes and the temperature loggers packed with the kits."""
    if boxes is None or not 1 <= boxes <= 99:
        raise DomainError(_("Give the number of boxes (1 to 99)."), "boxes")
    apply_transition(session, SHIPMENT, shipment, "pack", by=by, values={
        "boxes": boxes, "box_ids": (box_ids or "").strip()[:200] or None,
        "logger_ids": (logger_ids or "").strip()[:200] or None})
