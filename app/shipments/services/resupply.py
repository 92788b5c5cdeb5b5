"""Turn stock's resupply needs (per site and kit type) into draft depot-to-site shipments.

One definition of what a site needs, used by both resupply screens: stock's need (kits still
dispensable at the expected arrival, per kit type) minus the kits already on their way.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.errors import DomainError
from app.shipments.models import Shipment, ShipmentKit
from app.shipments.queries import active_trials
from app.shipments.services.orders import create_shipment
from app.stock.api import RESUPPLY_LEAD_DAYS, Location, resupply_needs, site_location

OPEN_STATUSES = ("draft", "ordered", "picked", "packed", "shipped", "delivered")
LEAD_DAYS = RESUPPLY_LEAD_DAYS  # from proposal to arrival at the site (one figure for both)


@dataclass
class ResupplyRow:
    """A site (and kit type) in need, what is already on its way, what is left to ship."""

    need: object
    under_way: list = field(default_factory=list)
    incoming: int = 0

    @property
    def to_ship(self):
        """Return the kits still to send to reach the maximum."""
        return max(0, self.need.quantity - self.incoming)


def _incoming(shipment, kit_type):
    """Return the kits of this type an open shipment brings (a draft of no type counts: its
    kits are not chosen yet, and it must not be shipped twice)."""
    if shipment.status == "draft":
        same = kit_type is None or shipment.kit_type_id in (None, kit_type.id)
        return shipment.requested_kits if same else 0
    products = None if kit_type is None else {p.id for p in kit_type.products}
    return sum(1 for line in shipment.lines if line.status != "dropped"
               and (products is None or line.kit.product_id in products))


def open_needs(session, trials, arrival=None):
    """Return a ResupplyRow for every site (and kit type) at or below its minimum."""
    arrival = arrival or clock.today() + timedelta(days=LEAD_DAYS)
    rows = []
    for trial in trials:
        needs = resupply_needs(session, trial, arrival=arrival)
        if not needs:
            continue
        open_shipments = defaultdict(list)
        for shipment in session.scalars(
                select(Shipment).join(Location, Shipment.destination_id == Location.id)
                .where(Shipment.trial_id == trial.id,
                       Location.site_id.in_({n.site.id for n in needs}),
                       Shipment.status.in_(OPEN_STATUSES))
                .options(selectinload(Shipment.lines).joinedload(ShipmentKit.kit))
                .order_by(Shipment.id)):
            open_shipments[shipment.destination.site_id].append(shipment)
        for need in needs:
            under_way = [(s, _incoming(s, need.kit_type))
                         for s in open_shipments.get(need.site.id, ())]
            under_way = [(s, n) for s, n in under_way if n or s.kit_type_id is None]
            rows.append(ResupplyRow(need, [s for s, _n in under_way],
                                    sum(n for _s, n in under_way)))
    return rows


def parse_choices(values):
    """Return {(site id, kit type id or 0)} from the form's "site:kit type" (or "site")."""
    chosen = set()
    for value in values or ():
        site, _sep, kit_type = str(value).partition(":")
        if site.isdigit() and (kit_type or "0").isdigit():
            chosen.add((int(site), int(kit_type or 0)))
    return chosen


def propose_resupply_shipments(session, depot, choices, *, by, lead_days=LEAD_DAYS,
                               today=None):
    """Create a draft resupply shipment of one kit type for each chosen need still short."""
    if depot is None or depot.kind != "depot":
        raise DomainError(_("Choose the depot the kits leave from."), "depot_id")
    wanted = parse_choices(choices)
    if not wanted:
        raise DomainError(_("Choose at least one site."), "sites")
    arrival = (today or clock.today()) + timedelta(days=lead_days)
    created = []
    for row in open_needs(session, active_trials(session), arrival=arrival):
        need = row.need
        key = (need.site.id, need.kit_type.id if need.kit_type else 0)
        if key not in wanted or row.to_ship <= 0:
            continue
        kind_of_kit = str(need.kit_type) if need.kit_type else _("any kit")
        created.append(create_shipment(
            session, trial=need.site.trial, kind="resupply", origin=depot,
            destination=site_location(session, need.site), requested_kits=row.to_ship,
            expected_arrival=arrival, by=by, today=today, kit_type=need.kit_type,
            notes=_("Resupply of %(type)s: %(have)s dispensable kits and %(incoming)s on their "
                    "way; minimum %(min)s, maximum %(max)s.", type=kind_of_kit,
                    have=need.dispensable, incoming=row.incoming, min=need.minimum,
                    max=need.maximum)[:500]))
    if not created:
        raise DomainError(_("None of the chosen sites needs a new shipment: the kits on "
                              "their way already bring each to its maximum."), "sites")
    return created
