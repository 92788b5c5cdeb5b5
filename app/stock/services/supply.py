"""Which kits may ship or be dispensed (expiry windows) and which sites need resupply."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from app.core import clock
from app.stock.models import (
    Kit,
    KitType,
    KitTypeLevel,
    Location,
    Lot,
    ResupplyLevel,
    StockBalance,
)
from app.stock.rules import restrict_kits
from app.stock.services.catalog import supply_settings
from app.stock.states import USABLE_STATES
from app.trials.api import Site

RESUPPLY_LEAD_DAYS = 3  # from a resupply proposal to its arrival at the site


def expiry_status(expires_on, dns_days, dnd_days, on_date=None):
    """Return 'expired', 'past_dnd', 'past_dns' or 'ok' for a kit expiring on a date.

    Expiry takes effect at the end of the expiry day (UTC); a kit may still ship on the last
    day before its DNS window and be dispensed on the last day before its DND window.
    """
    on_date = on_date or clock.today()
    if on_date > expires_on:
        return "expired"
    if on_date > expires_on - timedelta(days=dnd_days):
        return "past_dnd"
    if on_date > expires_on - timedelta(days=dns_days):
        return "past_dns"
    return "ok"


def eligible_kits(session, trial, location_ids, *, window="dns", on_date=None, lot_id=None,
                  limit=None, use=None):
    """Return usable kits at the locations, earliest expiry first, outside the DNS/DND window.

    window is 'dns' for shipping from a depot and 'dnd' for dispensing at a site. With a
    KitUse, the installed kit rules narrow the choice too (app/stock/rules.py).
    """
    settings = supply_settings(session, trial)
    days = settings.dns_days if window == "dns" else settings.dnd_days
    first_usable_expiry = (on_date or clock.today()) + timedelta(days=days)
    stmt = (select(Kit).where(Kit.trial_id == trial.id, Kit.location_id.in_(location_ids),
                              Kit.state.in_(USABLE_STATES),
                              Kit.expires_on >= first_usable_expiry)
            .order_by(Kit.expires_on, Kit.kit_number))
    if lot_id:
        stmt = stmt.where(Kit.lot_id == lot_id)
    stmt = restrict_kits(stmt, use)
    if limit:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).all()


@dataclass
class ResupplyNeed:
    """A site (and kit type) at or below its minimum: kits it can still dispense and needs.

    kit_type is None for a trial without kit types (one minimum and maximum per site).
    """

    site: Site
    minimum: int
    maximum: int
    dispensable: int
    kit_type: object = None

    @property
    def quantity(self):
        """Return the kits to ship to reach the maximum."""
        return self.maximum - self.dispensable

    @property
    def key(self):
        """Return "site:kit type" (kit type 0 when none): the value a form sends for it."""
        return f"{self.site.id}:{self.kit_type.id if self.kit_type else 0}"


def dispensable_counts(session, trial, first_usable):
    """Return {(site id, product id): usable kits expiring on or after first_usable}.

    Summed from the balance projection (per location and lot, kept with the ledger): a kit
    expires with its lot, so the lot's expiry decides. A few hundred rows, not every kit.
    """
    rows = session.execute(
        select(Location.site_id, StockBalance.product_id, func.sum(StockBalance.available))
        .join(Location, Location.id == StockBalance.location_id)
        .join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.trial_id == trial.id, Location.site_id.is_not(None),
               StockBalance.available > 0, Lot.expires_on >= first_usable)
        .group_by(Location.site_id, StockBalance.product_id))
    return {(site_id, product_id): int(n or 0) for site_id, product_id, n in rows}


def resupply_needs(session, trial, on_date=None, only_short=True, arrival=None):
    """Return the trial's active sites (per kit type, when the trial has kit types) at or
    below their minimum, counting kits still dispensable at the expected arrival (after DND).

    The one definition of a need: the resupply screens of stock and shipments both use it.
    """
    settings = supply_settings(session, trial)
    first_usable = (arrival or on_date or clock.today()) + timedelta(days=settings.dnd_days)
    counts = dispensable_counts(session, trial, first_usable)
    types = session.scalars(select(KitType).where(KitType.trial_id == trial.id)).all()
    needs = []
    if types:
        products = {t.id: [p.id for p in t.products] for t in types}
        levels = session.scalars(
            select(KitTypeLevel).join(Site, Site.id == KitTypeLevel.site_id)
            .join(KitType, KitType.id == KitTypeLevel.kit_type_id)
            .where(Site.trial_id == trial.id, Site.status == "active")
            .order_by(Site.site_number, KitType.code)).all()
        for level in levels:
            have = sum(counts.get((level.site_id, p), 0) for p in products[level.kit_type_id])
            if have <= level.minimum or not only_short:
                needs.append(ResupplyNeed(level.site, level.minimum, level.maximum, have,
                                          level.kit_type))
        return needs
    per_site = {}
    for (site_id, _product), n in counts.items():
        per_site[site_id] = per_site.get(site_id, 0) + n
    for level in session.scalars(select(ResupplyLevel).join(Site).where(
            Site.trial_id == trial.id, Site.status == "active").order_by(Site.site_number)):
        have = per_site.get(level.site_id, 0)
        if have <= level.minimum or not only_short:
            needs.append(ResupplyNeed(level.site, level.minimum, level.maximum, have))
    return needs
