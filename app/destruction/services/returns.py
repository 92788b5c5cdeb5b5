"""Returns from a site: condition scanned at the site, receipt by scan into a returns zone."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.models import utcnow
from app.destruction.models import RETURN_CONDITIONS, ReturnedKit, ReturnsZone
from app.shipments.api import Discrepancy, pick_kit, receive_shipment
from app.stock.api import Kit, Location, StockEntry, move_kits

DECLARABLE = ("draft", "ordered")


def returns_zone_ids(session):
    """Return the location ids of every returns zone."""
    return list(session.scalars(select(ReturnsZone.location_id)))


def ensure_returns_zone(session, depot):
    """Return the depot's returns zone, creating it (and its location) on first use."""
    zone = session.scalar(select(ReturnsZone).join(Location).where(
        Location.parent_id == depot.id))
    if zone is not None:
        return zone
    location = Location(kind="zone", code=f"{depot.code}-RET"[:40],
                        name=_("Returns (kept apart)"), parent_id=depot.id,
                        storage_note="returns")
    session.add(location)
    session.flush()
    zone = ReturnsZone(location_id=location.id)
    session.add(zone)
    session.flush()
    return zone


def is_return_to_zone(session, shipment):
    """Return True when the shipment is a return whose destination is a returns zone."""
    return shipment.kind == "return" and shipment.destination_id in returns_zone_ids(session)


def units_for(kit, condition, units_remaining):
    """Return the units a returned kit still holds, checked against its condition."""
    per_kit = kit.product.units_per_kit
    if condition in ("unused", "expired", "damaged"):
        return per_kit if units_remaining in (None, "") else _check_units(units_remaining,
                                                                          per_kit)
    if condition == "empty":
        return 0
    if condition == "partly_used":
        if units_remaining is None or not 0 < units_remaining < per_kit:
            raise DomainError(_("A partly used kit holds between 1 and %(n)s units; give the "
                                "units remaining.", n=per_kit - 1), "units_remaining")
        return units_remaining
    return 0


def _check_units(units, per_kit):
    if not 0 <= units <= per_kit:
        raise DomainError(_("A kit holds %(n)s units.", n=per_kit), "units_remaining")
    return units


def kit_was_at(session, kit, location_id):
    """Return True when the ledger ever placed the kit at this location."""
    return session.scalar(select(StockEntry.id).where(
        StockEntry.kit_id == kit.id, StockEntry.location_id == location_id).limit(1)) is not None


def declare_returned_kit(session, shipment, scanned, condition, units_remaining=None, *, by):
    """Record, by scan at the site, one kit going back on a return shipment and its condition."""
    if shipment.kind != "return":
        raise DomainError(_("Shipment %(n)s is not a return.", n=shipment.number))
    if shipment.status not in DECLARABLE:
        raise DomainError(_("Kits are scanned before the return is packed; shipment %(n)s is "
                            "%(s)s.", n=shipment.number, s=shipment.status_label), "kit_number")
    site = shipment.origin.site
    if by is not None and not by.sees_site("destruction.return", site.id):
        raise DomainError(_("You can only send back kits from your own sites."), "kit_number")
    if condition not in RETURN_CONDITIONS:
        raise DomainError(_("Choose the kit's condition."), "condition")
    number = (scanned or "").strip()[:40]
    if not number:
        raise DomainError(_("Scan or type a kit number."), "kit_number")
    kit = session.scalar(select(Kit).where(Kit.trial_id == shipment.trial_id,
                                           Kit.kit_number == number))
    if kit is None:
        raise DomainError(_("There is no kit %(kit)s in trial %(trial)s.", kit=number,
                            trial=shipment.trial.protocol_code), "kit_number")
    if not kit_was_at(session, kit, shipment.origin_id):
        raise DomainError(_("Kit %(kit)s was never at site %(site)s; it cannot be returned "
                            "from there. Nothing was recorded.", kit=number,
                            site=site.site_number), "kit_number")
    units = units_for(kit, condition, units_remaining)
    line = next((li for li in shipment.lines if li.kit_id == kit.id), None)
    if line is None or line.status == "dropped":
        raise DomainError(_("Kit %(kit)s is not on return %(n)s; add it to the return first.",
                            kit=number, n=shipment.number), "kit_number")
    if line.status == "proposed":
        # The site's scan is the pick of a return. Picking is logistics' permission in
        # shipments, so it is applied without one; the audit entry still names the site user.
        pick_kit(session, shipment, number, by=None)
    row = session.scalar(select(ReturnedKit).where(ReturnedKit.shipment_id == shipment.id,
                                                   ReturnedKit.kit_id == kit.id))
    if row is None:
        row = ReturnedKit(shipment_id=shipment.id, kit_id=kit.id, site_id=site.id)
        session.add(row)
    row.condition, row.units_remaining = condition, units
    row.scanned_at, row.scanned_by_id = utcnow(), by.id if by else None
    session.flush()
    return row


def receive_return(session, shipment, *, by, password, comment=None):
    """Sign the depot receipt of a return; kits go to the returns zone pending destruction."""
    if not is_return_to_zone(session, shipment):
        raise DomainError(_("Shipment %(n)s is not a return to a returns zone.",
                            n=shipment.number))
    counts = receive_shipment(session, shipment, by=by, password=password, comment=comment)
    counts["differences"] = sort_return(session, shipment, by=by)
    return counts


def sort_return(session, shipment, *, by):
    """Set the received kits aside for destruction and open a discrepancy for each difference."""
    declared = {r.kit_id: r for r in session.scalars(
        select(ReturnedKit).where(ReturnedKit.shipment_id == shipment.id))}
    arrived = [li for li in shipment.lines if li.status == "picked"
               and li.receipt_outcome in ("ok", "damaged")]
    kits = [li.kit for li in arrived if li.kit.state in ("quarantined", "damaged")]
    for state in ("quarantined", "damaged"):
        move_kits(session, [k for k in kits if k.state == state], "pending_destruction",
                  "adjustment", by=by, document_ref=shipment.number,
                  reason=_("Returned from the site; kept apart for destruction."))
    opened = 0
    for line in arrived:
        row = declared.get(line.kit_id)
        text = None
        if row is None:
            text = _("Kit %(kit)s came back without a condition scanned at the site.",
                     kit=line.kit.kit_number)
        elif line.receipt_outcome == "damaged" and row.condition != "damaged":
            text = _("Kit %(kit)s was sent back as %(c)s but arrived damaged.",
                     kit=line.kit.kit_number, c=row.condition_label)
        if row is not None:
            row.sorted_at = utcnow()
        if text:
            session.add(Discrepancy(shipment_id=shipment.id, kit_id=line.kit_id, kind="other",
                                    description=text[:500], opened_by_id=by.id))
            opened += 1
    shipment.open_discrepancies = (shipment.open_discrepancies or 0) + opened
    session.flush()
    return opened
