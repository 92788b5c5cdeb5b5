"""What shipments need from stock, built only on stock's public module."""

from sqlalchemy import select

from app.coldchain.excursions import is_refrigerated, narrowest_band
from app.core.errors import DomainError
from app.stock.api import Kit, KitUse, depot_location_ids, eligible_kits, move_kits

# Kits a site sends back to a depot: returned by subjects, damaged, expired, set aside.
RETURNABLE_STATES = frozenset({"returned", "damaged", "expired", "pending_destruction",
                               "quarantined"})


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
    kits = eligible_kits(session, shipment.trial, ids, window="dns", on_date=arrival,
                         use=shipping_use(shipment, arrival))
    return [k for k in kits if k.lot.status == "released"]


def shipping_use(shipment, on_date=None):
    """Return the KitUse the kit rules judge a shipment's kits by."""
    return KitUse("ship", shipment.trial, site=shipment.destination.site, on_date=on_date,
                  kit_type=shipment.kit_type)


def shipped_kits(shipment):
    """Return the kits that left on the shipment."""
    return [line.kit for line in shipment.lines if line.status == "picked"]


def storage_range(kits):
    """Return the (min, max) °C range every kit tolerates: the narrowest of their products."""
    products = {k.product_id: k.product for k in kits}.values()
    return narrowest_band((p.storage_min_c, p.storage_max_c) for p in products)


def needs_cold_chain(kits):
    """Return True when any kit's product must be kept refrigerated or colder."""
    return any(is_refrigerated(k.product.storage_max_c) for k in kits)


def move_shipment_kits(session, kits, to_state, event, *, by, document_ref, to_location=None,
                       reason=None):
    """Move kits through stock's ledger; a stock refusal is the shipment's refusal."""
    if not kits:
        return []
    try:
        return move_kits(session, kits, to_state, event, by=by, document_ref=document_ref,
                         to_location=to_location, reason=reason)
    except DomainError as error:
        # Stock's field names mean nothing on a shipment's forms: refuse at form level.
        raise DomainError(str(error)) from error
