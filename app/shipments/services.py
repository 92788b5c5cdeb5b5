"""Create shipments and move them through their states with conditional updates."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.services import record_event
from app.core.models import utcnow
from app.shipments.models import SHIPMENT_STATUSES, TRACKING_MAX, Shipment, ShipmentKit

# The explicit state machine: anything not listed is refused.
TRANSITIONS = {
    "draft": {"ordered", "cancelled"},
    "ordered": {"picked", "cancelled"},
    "picked": {"packed", "cancelled"},
    "packed": {"shipped", "cancelled"},
    "shipped": {"delivered", "received"},
    "delivered": {"received"},
    "received": {"closed"},
}
STAMPS = {"ordered": "ordered_at", "picked": "picked_at", "packed": "packed_at",
          "shipped": "dispatched_at", "delivered": "delivered_at", "received": "received_at",
          "closed": "closed_at", "cancelled": "cancelled_at"}
DEPOT_KINDS = ("depot", "zone")


class ShipmentError(Exception):
    """A refused shipment operation; the message is for the user, field names the input."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def refusal(shipment, to_status):
    """Return why the shipment cannot go to the status, or None when it can."""
    if to_status in TRANSITIONS.get(shipment.status, set()):
        return None
    now = SHIPMENT_STATUSES.get(shipment.status, shipment.status)
    target = SHIPMENT_STATUSES.get(to_status, to_status)
    if shipment.status == to_status:
        return _("Shipment %(n)s is already %(state)s.", n=shipment.number, state=now)
    return _("Shipment %(n)s is %(state)s; it cannot become %(target)s.",
             n=shipment.number, state=now, target=target)


def run_conditional(session, statement, conflict_message):
    """Run an UPDATE ... WHERE <state seen>; refuse with the message if no row matched.

    On SQLite a writer that lost the race gets "database is locked" (its snapshot is stale):
    that is the same conflict, told the same way.
    """
    try:
        result = session.execute(statement.execution_options(synchronize_session=False))
    except OperationalError as error:
        raise ShipmentError(conflict_message) from error
    if result.rowcount != 1:
        raise ShipmentError(conflict_message)


def change_status(session, shipment, to_status, **values):
    """Move the shipment to a status only WHERE it still has the status the caller saw."""
    message = refusal(shipment, to_status)
    if message:
        raise ShipmentError(message)
    now = utcnow()
    values[STAMPS[to_status]] = now
    before = shipment.status
    run_conditional(session, update(Shipment)
                    .where(Shipment.id == shipment.id, Shipment.status == before)
                    .values(status=to_status, updated_at=now, **values),
                    _("Shipment %(n)s was changed by someone else a moment ago. Nothing was "
                      "saved; reload the page.", n=shipment.number))
    changes = {"status": (before, to_status)}
    for key, value in values.items():
        old = getattr(shipment, key)
        if old != value and not key.endswith("_at"):
            changes[key] = (old, value)
        set_committed_value(shipment, key, value)
    set_committed_value(shipment, "status", to_status)
    record_event(session, f"shipment_{to_status}", "shipment", shipment.id,
                 label=shipment.number, changes=changes)


def next_number(session, today=None):
    """Return the next shipment number of the year, e.g. SHP-2026-000042."""
    year = (today or date.today()).year
    prefix = f"SHP-{year}-"
    last = session.scalar(select(func.max(Shipment.number)).where(
        Shipment.number.like(prefix + "%")))
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def check_route(kind, origin, destination, subject=None):
    """Refuse a route that does not match the kind of shipment."""
    if origin is None or destination is None:
        raise ShipmentError(_("Choose where the shipment leaves from and goes to."), "origin_id")
    if origin.id == destination.id:
        raise ShipmentError(_("The origin and the destination must differ."), "destination_id")
    from_depot = origin.kind in DEPOT_KINDS
    to_depot = destination.kind in DEPOT_KINDS
    wanted = {"initial": (True, False), "resupply": (True, False), "return": (False, True),
              "transfer": (True, True), "patient": (True, False)}[kind]
    if (from_depot, to_depot) != wanted:
        raise ShipmentError({
            (True, False): _("This kind of shipment goes from a depot to a site."),
            (False, True): _("A return goes from a site to a depot."),
            (True, True): _("A transfer goes from one depot to another."),
        }[wanted], "destination_id")
    if kind == "patient" and (subject is None or destination.site_id != subject.site_id):
        raise ShipmentError(_("A direct-to-patient shipment goes to the subject's own site's "
                              "records; choose the subject."), "subject_id")


def create_shipment(session, *, trial, kind, origin, destination, requested_kits,
                    expected_arrival=None, subject=None, notes=None, by=None, today=None):
    """Create a draft shipment order; return it (flushed)."""
    check_route(kind, origin, destination, subject)
    for location in (origin, destination):
        if location.kind == "site" and location.site.trial_id != trial.id:
            raise ShipmentError(_("Site %(site)s is not in trial %(trial)s.",
                                  site=location.site.site_number, trial=trial.protocol_code),
                                "destination_id")
    if not requested_kits or requested_kits < 1 or requested_kits > 5000:
        raise ShipmentError(_("Ask for between 1 and 5,000 kits."), "requested_kits")
    today = today or date.today()
    if expected_arrival is not None and expected_arrival < today:
        raise ShipmentError(_("The expected arrival cannot be in the past."), "expected_arrival")
    shipment = Shipment(
        number=next_number(session, today), kind=kind, status="draft", trial_id=trial.id,
        origin_id=origin.id, destination_id=destination.id,
        subject_id=subject.id if subject is not None else None,
        requested_kits=requested_kits, expected_arrival=expected_arrival,
        notes=(notes or "").strip() or None, created_by_id=by.id if by else None)
    shipment.trial, shipment.origin, shipment.destination = trial, origin, destination
    session.add(shipment)
    session.flush()
    return shipment


def check_tracking_number(value):
    """Return the cleaned tracking number or refuse one that is too long or unprintable."""
    value = (value or "").strip()
    if len(value) > TRACKING_MAX:
        raise ShipmentError(_("A tracking number has at most %(n)s characters; this one has "
                              "%(len)s.", n=TRACKING_MAX, len=len(value)), "tracking_number")
    if any(not c.isprintable() for c in value):
        raise ShipmentError(_("The tracking number contains characters that are not allowed."),
                            "tracking_number")
    return value or None


def release_holds(session, shipment):
    """Let the kits of an unfinished shipment be picked elsewhere again."""
    session.execute(update(ShipmentKit).where(ShipmentKit.shipment_id == shipment.id,
                                              ShipmentKit.holds.is_(True))
                    .values(holds=False).execution_options(synchronize_session=False))
    for line in shipment.lines:
        set_committed_value(line, "holds", False)


def cancel_shipment(session, shipment, reason):
    """Cancel a shipment that has not left; its kits are free again."""
    if not (reason or "").strip():
        raise ShipmentError(_("Give a reason for cancelling."), "reason")
    change_status(session, shipment, "cancelled")
    release_holds(session, shipment)
    record_event(session, "shipment_cancel_reason", "shipment", shipment.id,
                 label=shipment.number, reason=reason.strip())


def close_shipment(session, shipment):
    """Close a received shipment once nothing is left open on it."""
    if shipment.qa_pending:
        raise ShipmentError(_("Kits of this shipment still wait for a QA decision."))
    if shipment.open_discrepancies:
        raise ShipmentError(_("Resolve the open discrepancies before closing."))
    change_status(session, shipment, "closed")
