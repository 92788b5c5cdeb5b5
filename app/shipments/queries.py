"""Which shipments a user may see, and the board's filters."""

import os
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.core.models import utcnow
from app.shipments.models import Shipment
from app.stock.models import Location

IN_TRANSIT = ("shipped", "delivered")


def overdue_days():
    """Return after how many days a dispatched shipment not yet received is overdue."""
    configured = current_app.config.get("SHIPMENT_OVERDUE_DAYS")
    return int(configured or os.environ.get("SHIPMENT_OVERDUE_DAYS", 5))


def visible_shipments(user):
    """Return a select of the shipments the user may see (site users: their own sites)."""
    stmt = select(Shipment)
    if user.is_site_scoped:
        mine = select(Location.id).where(Location.site_id.in_(user.site_ids or {0}))
        stmt = stmt.where(or_(Shipment.origin_id.in_(mine), Shipment.destination_id.in_(mine)))
    return stmt


def can_see_shipment(user, shipment):
    """Return True when the shipment touches a place the user may see."""
    if not user.is_site_scoped:
        return True
    return any(loc.kind == "site" and loc.site_id in user.site_ids
               for loc in (shipment.origin, shipment.destination))


def overdue_clause(now=None):
    """Return the condition 'dispatched and not received within the allowed days'."""
    limit = (now or utcnow()) - timedelta(days=overdue_days())
    return (Shipment.status.in_(IN_TRANSIT)) & (Shipment.dispatched_at < limit)


def is_overdue(shipment, now=None):
    """Return True when the shipment is overdue."""
    if shipment.status not in IN_TRANSIT or shipment.dispatched_at is None:
        return False
    return shipment.dispatched_at < (now or utcnow()) - timedelta(days=overdue_days())


def apply_filters(stmt, args):
    """Narrow the board by the request's filters: status, kind, trial, place, problems."""
    status = args.get("status")
    if status == "open":
        stmt = stmt.where(Shipment.status.notin_(("closed", "cancelled")))
    elif status:
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
    return stmt
