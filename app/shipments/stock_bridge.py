"""What shipments need from stock, built only on stock's public functions."""

from sqlalchemy import select

from app.core.errors import DomainError as StockError  # stock refuses with DomainError now
from app.shipments.services import ShipmentError
from app.stock.api import Kit, Lot, depot_location_ids, eligible_kits, move_kits, site_location

# Kits a site sends back to a depot: returned by subjects, damaged, expired, set aside.
RETURNABLE_STATES = frozenset({"returned", "damaged", "expired", "pending_destruction",
                               "quarantined"})
# A product kept at or below this temperature travels in the cold chain (logger required).
COLD_CHAIN_MAX_C = 8


def location_ids_of(session, location):
    """Return the location and, for a depot, its storage zones."""
    if location.kind == "depot":
        return depot_location_ids(session, location)
    return [location.id]


def kit_by_number(session, trial_id, number):
    """Return the trial's kit with this number, or None."""
    return session.scalar(select(Kit).where(Kit.trial_id == trial_id,
                                            Kit.kit_number == number[:40]))


def shippable_kits(session, shipment, arrival):
    """Return the kits the origin may send, earliest expiry first.

    From a depot: usable kits of released lots, skipping any kit inside the do-not-ship
    window on the expected arrival date. From a site (returns): kits set aside for return.
    """
    ids = location_ids_of(session, shipment.origin)
    if shipment.kind == "return":
        return session.scalars(
            select(Kit).where(Kit.trial_id == shipment.trial_id, Kit.location_id.in_(ids),
                              Kit.state.in_(RETURNABLE_STATES))
            .order_by(Kit.expires_on, Kit.kit_number)).all()
    kits = eligible_kits(session, shipment.trial, ids, window="dns", on_date=arrival)
    return [k for k in kits if k.lot.status == "released"]


def released_lot_ids(session, lot_ids):
    """Return which lots are released for shipping."""
    return set(session.scalars(select(Lot.id).where(Lot.id.in_(lot_ids),
                                                    Lot.status == "released")))


def needs_cold_chain(kits):
    """Return True when any kit's product must be kept refrigerated or colder."""
    return any(float(k.product.storage_max_c) <= COLD_CHAIN_MAX_C for k in kits)


def storage_range(kits):
    """Return the (min, max) °C range every kit tolerates: the narrowest of their products."""
    products = {k.product_id: k.product for k in kits}.values()
    if not products:
        return None
    return (max(float(p.storage_min_c) for p in products),
            min(float(p.storage_max_c) for p in products))


def move_shipment_kits(session, kits, to_state, event, *, by, document_ref, to_location=None,
                       reason=None):
    """Move kits through stock's ledger; a stock refusal becomes a shipment refusal."""
    if not kits:
        return []
    try:
        return move_kits(session, kits, to_state, event, by=by, document_ref=document_ref,
                         to_location=to_location, reason=reason)
    except StockError as error:
        raise ShipmentError(str(error)) from error


def destination_for_site(session, site):
    """Return the stock location of a site (created on first use)."""
    return site_location(session, site)
