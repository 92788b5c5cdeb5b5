"""Create shipment orders; cancel or close them."""


from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.shipments.models import Shipment, ShipmentKit
from app.shipments.states import SHIPMENT

DEPOT_KINDS = ("depot", "zone")


def next_number(session, today=None):
    """Return the next shipment number of the year, e.g. SHP-2026-000042."""
    year = (today or clock.today()).year
    prefix = f"SHP-{year}-"
    last = session.scalar(select(func.max(Shipment.number)).where(
        Shipment.number.like(prefix + "%")))
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def check_route(kind, origin, destination, subject=None):
    """Refuse a route that does not match the kind of shipment."""
    if origin is None or destination is None:
        raise DomainError(_("Choose where the shipment leaves from and goes to."), "origin_id")
    if origin.id == destination.id:
        raise DomainError(_("The origin and the destination must differ."), "destination_id")
    from_depot = origin.kind in DEPOT_KINDS
    to_depot = destination.kind in DEPOT_KINDS
    wanted = {"initial": (True, False), "resupply": (True, False), "return": (False, True),
              "transfer": (True, True), "patient": (True, False)}[kind]
    if (from_depot, to_depot) != wanted:
        raise DomainError({
            (True, False): _("This kind of shipment goes from a depot to a site."),
            (False, True): _("A return goes from a site to a depot."),
            (True, True): _("A transfer goes from one depot to another."),
        }[wanted], "destination_id")
    if kind == "patient" and (subject is None or destination.site_id != subject.site_id):
        raise DomainError(_("A direct-to-patient shipment goes to the subject's own site's "
                            "records; choose the subject."), "subject_id")


def create_shipment(session, *, trial, kind, origin, destination, requested_kits,
                    expected_arrival=None, subject=None, notes=None, by=None, today=None,
                    kit_type=None):
    """Create a draft shipment order; return it (flushed)."""
    check_route(kind, origin, destination, subject)
    for location in (origin, destination):
        if location.kind == "site" and location.site.trial_id != trial.id:
            raise DomainError(_("Site %(site)s is not in trial %(trial)s.",
                                site=location.site.site_number, trial=trial.protocol_code),
                              "destination_id")
    if requested_kits is None or requested_kits < 0 or requested_kits > 5000:
        raise DomainError(_("Ask for between 0 and 5,000 kits (0: a shipment of devices "
                            "only)."), "requested_kits")
    today = today or clock.today()
    if expected_arrival is not None and expected_arrival < today:
        raise DomainError(_("The expected arrival cannot be in the past."), "expected_arrival")
    shipment = Shipment(
        number=next_number(session, today), kind=kind, status="draft", trial_id=trial.id,
        origin_id=origin.id, destination_id=destination.id,
        subject_id=subject.id if subject is not None else None,
        requested_kits=requested_kits, expected_arrival=expected_arrival,
        notes=(notes or "").strip() or None, created_by_id=by.id if by else None,
        kit_type_id=kit_type.id if kit_type is not None else None)
    shipment.trial, shipment.origin, shipment.destination = trial, origin, destination
    shipment.kit_type = kit_type
    session.add(shipment)
    session.flush()
    return shipment


def release_holds(session, shipment):
    """Let the kits of an unfinished shipment be picked elsewhere again."""
    session.execute(update(ShipmentKit).where(ShipmentKit.shipment_id == shipment.id,
                                              ShipmentKit.holds.is_(True))
                    .values(holds=False).execution_options(synchronize_session=False))
    for line in shipment.lines:
        set_committed_value(line, "holds", False)


def cancel_shipment(session, shipment, reason, *, by=None):
    """Cancel a shipment that has not left; its kits are free again."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for cancelling."), "reason")
    apply_transition(session, SHIPMENT, shipment, "cancel", by=by, reason=reason)
    release_holds(session, shipment)


def close_shipment(session, shipment, *, by=None):
    """Close a received shipment once nothing is left open on it."""
    if shipment.qa_pending:
        raise DomainError(_("Kits of this shipment still wait for a QA decision."))
    if shipment.open_discrepancies:
        raise DomainError(_("Resolve the open discrepancies before closing."))
    apply_transition(session, SHIPMENT, shipment, "close", by=by)
