"""Which shipments a user may see, and the board's filters."""

import os
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.core.models import utcnow
from app.shipments.models import Discrepancy, QaDecision, Shipment
from app.stock.api import Location
from app.trials.api import Site, Subject, Trial, can_see_identity, within_sponsors

IN_TRANSIT = ("shipped", "delivered")


def overdue_days():
    """Return after how many days a dispatched shipment not yet received is overdue."""
    configured = current_app.config.get("SHIPMENT_OVERDUE_DAYS")
    return int(configured or os.environ.get("SHIPMENT_OVERDUE_DAYS", 5))


def visible_shipments(user, permission="shipments.view"):
    """Return a select of the shipments the permission reaches (site staff: their own sites)."""
    stmt = within_sponsors(select(Shipment), user, Shipment.trial_id)
    scope = user.site_scope(permission)
    if scope is not None:
        mine = select(Location.id).where(Location.site_id.in_(scope or {0}))
        stmt = stmt.where(or_(Shipment.origin_id.in_(mine), Shipment.destination_id.in_(mine)))
    return stmt


def can_see_shipment(user, shipment, permission="shipments.view"):
    """Return True when the shipment touches a place the permission reaches."""
    scope = user.site_scope(permission)
    if not user.sees_trial(shipment.trial_id):
        return False
    if scope is None:
        return True
    return any(loc.kind == "site" and loc.site_id in scope
               for loc in (shipment.origin, shipment.destination))


def delivery_address(shipment, user):
    """Return the patient's home address when the user may see identities, else None."""
    subject = shipment.subject
    if subject is None or not can_see_identity(user, subject) or not subject.identity:
        return None
    identity = subject.identity
    return ", ".join(p for p in (identity.full_name, identity.address, identity.postal_code,
                                 identity.city, identity.phone) if p)


def qa_decisions_of(session, shipment):
    """Return the shipment's QA decisions, oldest first."""
    return session.scalars(select(QaDecision).where(QaDecision.shipment_id == shipment.id)
                           .order_by(QaDecision.id)).all()


def discrepancies_of(session, shipment):
    """Return the shipment's discrepancies, oldest first."""
    return session.scalars(select(Discrepancy).where(Discrepancy.shipment_id == shipment.id)
                           .order_by(Discrepancy.id)).all()


def place_choices(session, user=None):
    """Return the order form's places: depots (L<id>) and trial sites (S<id>)."""
    depots = session.scalars(select(Location).where(Location.kind == "depot")
                             .order_by(Location.name)).all()
    stmt = select(Site.id, Site.site_number, Site.hospital, Trial.protocol_code).join(Trial)
    if user is not None:
        stmt = within_sponsors(stmt, user, Trial.id)
    sites = session.execute(stmt.order_by(Trial.protocol_code, Site.site_number)).all()
    return ([(f"L{d.id}", _("Depot: %(name)s", name=d.name)) for d in depots]
            + [(f"S{site_id}", f"{code} · {number} · {hospital}")
               for site_id, number, hospital, code in sites])


def active_trials(session, user=None):
    """Return the active trials (the ones shipments are ordered for), by protocol code
    (within the user's sponsors when a user is given)."""
    stmt = select(Trial).where(Trial.status == "active")
    if user is not None:
        stmt = within_sponsors(stmt, user, Trial.id)
    return session.scalars(stmt.order_by(Trial.protocol_code)).all()


def order_subjects(session, user, limit=500):
    """Return the enrolled subjects a direct-to-patient shipment may be for."""
    stmt = within_sponsors(select(Subject).where(Subject.status == "enrolled"), user,
                           Subject.trial_id)
    return session.scalars(stmt.order_by(Subject.code).limit(limit)).all()


def board_locations(session):
    """Return (id, name) of the depots and sites the board filters by."""
    return session.execute(select(Location.id, Location.name).where(
        Location.kind.in_(("depot", "site"))).order_by(Location.name)).all()


def overdue_clause(now=None):
    """Return the condition 'dispatched and not received within the allowed days'."""
    limit = (now or utcnow()) - timedelta(days=overdue_days())
    return (Shipment.status.in_(IN_TRANSIT)) & (Shipment.dispatched_at < limit)


def is_overdue(shipment, now=None):
    """Return True when the shipment is overdue."""
    if shipment.status not in IN_TRANSIT or shipment.dispatched_at is None:
        return False
    return shipment.dispatched_at < (now or utcnow()) - timedelta(days=overdue_days())


def received_by(user):
    """Return a select of the places whose arrivals the user receives.

    Site users: their own sites; everyone else: the depots (and their zones).
    """
    scope = user.site_scope("shipments.receive")
    if scope is not None:
        return select(Location.id).where(Location.site_id.in_(scope or {0}))
    return select(Location.id).where(Location.kind.in_(("depot", "zone")))


def apply_filters(stmt, args, user=None):
    """Narrow the board by the request's filters: status, kind, trial, place, problems.

    ``status=to_receive`` (with the user): in transit to a place the user receives at.
    """
    status = args.get("status")
    if status == "to_receive" and user is not None:
        stmt = stmt.where(Shipment.status.in_(IN_TRANSIT),
                          Shipment.destination_id.in_(received_by(user)))
    elif status == "open":
        stmt = stmt.where(Shipment.status.notin_(("closed", "cancelled")))
    elif status and status != "to_receive":
        stmt = stmt.where(Shipment.status == status)
    if args.get("kind"):
        stmt = stmt.where(Shipment.kind == args.get("kind"))
    trial = args.get("trial", type=int)
    if trial:
        stmt = stmt.where(Shipment.trial_id == trial)
    origin = args.get("origin", type=int)
    if origin:
        stmt = stmt.where(Shipment.origin_id == origin)
    destination = args.get("destination", type=int)
    if destination:
        stmt = stmt.where(Shipment.destination_id == destination)
    problem = args.get("problem")
    if problem == "overdue":
        stmt = stmt.where(overdue_clause())
    elif problem == "excursion":
        # minutes_out > 0 exactly when a logger of the shipment recorded an excursion.
        stmt = stmt.where(or_(Shipment.qa_pending.is_(True),
                              (Shipment.minutes_out > 0) & Shipment.status.in_(IN_TRANSIT)))
    elif problem == "discrepancy":
        stmt = stmt.where(Shipment.open_discrepancies > 0)
    elif problem == "qa":
        stmt = stmt.where(Shipment.qa_pending.is_(True))
    return stmt


# -- work queues of the home page: each count is the row count of the list it links to -------
def board_count(session, user, **args):
    """Return how many shipments the board shows the user with these filter arguments."""
    from sqlalchemy import func
    from werkzeug.datastructures import MultiDict

    stmt = apply_filters(visible_shipments(user), MultiDict(args), user)
    return session.scalar(select(func.count()).select_from(stmt.subquery()))


def needs_listed(session, args):
    """Return the resupply page's rows; ``short=1``: only sites still short after what is
    already on its way (the ones a shipment can be proposed for)."""
    from app.shipments.services.resupply import open_needs

    rows = open_needs(session, active_trials(session))
    if args.get("short") == "1":
        rows = [row for row in rows if row.to_ship > 0]
    return rows


def resupply_count(session, user):
    """Return how many sites the resupply page lists as still short (``short=1``)."""
    from werkzeug.datastructures import MultiDict

    return len(needs_listed(session, MultiDict({"short": "1"})))


def moment_of(today):
    """Return now, moved to the given day (the alerts run for a date)."""
    from datetime import datetime

    now = utcnow()
    return datetime.combine(today, now.time(), tzinfo=now.tzinfo)


def site_of(session, location_id):
    """Return the trial site id of a location, or None for a depot."""
    return session.scalar(select(Location.site_id).where(Location.id == location_id))


def overdue_shipments(session, today, days=None):
    """Return AlertItems: shipments dispatched and not received within the allowed days.

    The destination site hears of it; told once per shipment (the key is its id).
    """
    from flask import url_for

    from app.core.domains import AlertItem

    found = session.scalars(select(Shipment).where(overdue_clause(moment_of(today)))
                            .order_by(Shipment.id)).all()
    return [AlertItem(key=str(s.id), site_id=site_of(session, s.destination_id),
                      link=url_for("shipments.show_shipment", shipment_id=s.id, _external=False),
                      params=dict(number=s.number, dispatched=s.dispatched_at.date(),
                                  days=overdue_days()))
            for s in found]


def excursions_waiting(session, today, days=1):
    """Return AlertItems: shipments received after an excursion, no QA decision for days.

    QA is not site-scoped; the key names the receipt so a later excursion is told again.
    """
    from flask import url_for

    from app.core.domains import AlertItem

    limit = moment_of(today) - timedelta(days=days)
    found = session.scalars(select(Shipment).where(
        Shipment.qa_pending.is_(True), Shipment.received_at < limit)
        .order_by(Shipment.id)).all()
    return [AlertItem(key=f"{s.id}:{s.received_at.isoformat()}", site_id=None,
                      link=url_for("shipments.show_shipment", shipment_id=s.id, _external=False),
                      params=dict(number=s.number, received=s.received_at.date()))
            for s in found]
