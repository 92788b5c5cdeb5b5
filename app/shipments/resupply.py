"""Turn stock's resupply needs into draft depot-to-site shipments."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.shipments.models import Shipment
from app.shipments.services import ShipmentError, create_shipment
from app.stock.api import resupply_needs, site_location
from app.stock.models import Location
from app.trials.models import Trial

OPEN_STATUSES = ("draft", "ordered", "picked", "packed", "shipped", "delivered")


@dataclass
class ResupplyRow:
    """A site in need, the kits already on their way to it and what is left to ship."""

    need: object
    under_way: list = field(default_factory=list)

    @property
    def incoming(self):
        """Return the kits on open shipments to the site (requested ones for drafts)."""
        return sum(s.requested_kits if s.status == "draft" else
                   sum(1 for line in s.lines if line.status != "dropped")
                   for s in self.under_way)

    @property
    def to_ship(self):
        """Return the kits still to send to reach the site's maximum."""
        return max(0, self.need.quantity - self.incoming)


def open_needs(session, trials):
    """Return a ResupplyRow for every site at or below its minimum."""
    rows = []
    for trial in trials:
        for need in resupply_needs(session, trial):
            under_way = session.scalars(
                select(Shipment).join(Location, Shipment.destination_id == Location.id)
                .where(Location.site_id == need.site.id, Shipment.status.in_(OPEN_STATUSES))
                .order_by(Shipment.id)).all()
            rows.append(ResupplyRow(need, list(under_way)))
    return rows


def active_trials(session):
    """Return the active trials, by protocol code."""
    return session.scalars(select(Trial).where(Trial.status == "active")
                           .order_by(Trial.protocol_code)).all()


def propose_resupply_shipments(session, depot, site_ids, *, by, lead_days=3, today=None):
    """Create a draft resupply shipment from the depot for each chosen site still short."""
    if depot is None or depot.kind != "depot":
        raise ShipmentError(_("Choose the depot the kits leave from."), "depot_id")
    wanted = set(site_ids or ())
    if not wanted:
        raise ShipmentError(_("Choose at least one site."), "sites")
    arrival = (today or date.today()) + timedelta(days=lead_days)
    created = []
    for row in open_needs(session, active_trials(session)):
        need = row.need
        if need.site.id not in wanted or row.to_ship <= 0:
            continue
        created.append(create_shipment(
            session, trial=need.site.trial, kind="resupply", origin=depot,
            destination=site_location(session, need.site), requested_kits=row.to_ship,
            expected_arrival=arrival, by=by, today=today,
            notes=_("Resupply: %(have)s dispensable kits and %(incoming)s on their way; "
                    "minimum %(min)s, maximum %(max)s.", have=need.dispensable,
                    incoming=row.incoming, min=need.minimum, max=need.maximum)))
    if not created:
        raise ShipmentError(_("None of the chosen sites needs a new shipment: the kits on "
                              "their way already bring each to its maximum."), "sites")
    return created
