"""Turn stock's resupply needs into draft depot-to-site shipments."""

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.shipments.models import Shipment
from app.shipments.services import ShipmentError, create_shipment
from app.stock.catalog import site_location
from app.stock.models import Location
from app.stock.supply import resupply_needs
from app.trials.models import Trial

OPEN_STATUSES = ("draft", "ordered", "picked", "packed", "shipped", "delivered")


def open_needs(session, trials):
    """Return [(need, open shipment or None)] for every site at or below its minimum."""
    result = []
    for trial in trials:
        for need in resupply_needs(session, trial):
            pending = session.scalar(
                select(Shipment).join(Location, Shipment.destination_id == Location.id)
                .where(Location.site_id == need.site.id, Shipment.status.in_(OPEN_STATUSES))
                .order_by(Shipment.id.desc()).limit(1))
            result.append((need, pending))
    return result


def active_trials(session):
    """Return the active trials, by protocol code."""
    return session.scalars(select(Trial).where(Trial.status == "active")
                           .order_by(Trial.protocol_code)).all()


def propose_resupply_shipments(session, depot, site_ids, *, by, lead_days=3, today=None):
    """Create a draft resupply shipment from the depot for each chosen site in need."""
    if depot is None or depot.kind != "depot":
        raise ShipmentError(_("Choose the depot the kits leave from."), "depot_id")
    wanted = set(site_ids or ())
    if not wanted:
        raise ShipmentError(_("Choose at least one site."), "sites")
    arrival = (today or date.today()) + timedelta(days=lead_days)
    created = []
    for need, pending in open_needs(session, active_trials(session)):
        if need.site.id not in wanted or pending is not None or need.quantity <= 0:
            continue
        created.append(create_shipment(
            session, trial=need.site.trial, kind="resupply", origin=depot,
            destination=site_location(session, need.site), requested_kits=need.quantity,
            expected_arrival=arrival, by=by, today=today,
            notes=_("Resupply: %(have)s dispensable kits, minimum %(min)s, maximum %(max)s.",
                    have=need.dispensable, min=need.minimum, max=need.maximum)))
    if not created:
        raise ShipmentError(_("None of the chosen sites needs a new shipment (each already "
                              "has one under way or is above its minimum)."), "sites")
    return created
