"""Which kits may ship or be dispensed (expiry windows) and which sites need resupply."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from app.stock.models import Kit, Location, ResupplyLevel
from app.stock.rules import restrict_kits
from app.stock.services.catalog import supply_settings
from app.stock.states import USABLE_STATES
from app.trials.api import Site


def expiry_status(expires_on, dns_days, dnd_days, on_date=None):
    """Return 'expired', 'past_dnd', 'past_dns' or 'ok' for a kit expiring on a date.

    Expiry takes effect at the end of the expiry day (UTC); a kit may still ship on the last
    day before its DNS window and be dispensed on the last day before its DND window.
    """
    on_date = on_date or date.today()
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
    first_usable_expiry = (on_date or date.today()) + timedelta(days=days)
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
    """A site at or below its minimum: how many kits it can still dispense and needs."""

    site: Site
    minimum: int
    maximum: int
    dispensable: int

    @property
    def quantity(self):
        """Return the kits to ship to reach the maximum."""
        return self.maximum - self.dispensable


def resupply_needs(session, trial, on_date=None, only_short=True):
    """Return the trial's sites at or below their minimum, counting kits dispensable after DND."""
    settings = supply_settings(session, trial)
    first_usable = (on_date or date.today()) + timedelta(days=settings.dnd_days)
    counts = dict(session.execute(
        select(Location.site_id, func.count(Kit.id))
        .join(Kit, Kit.location_id == Location.id)
        .join(Site, Site.id == Location.site_id)
        .where(Site.trial_id == trial.id, Kit.trial_id == trial.id,
               Kit.state.in_(USABLE_STATES), Kit.expires_on >= first_usable)
        .group_by(Location.site_id)).all())
    needs = []
    for level in session.scalars(select(ResupplyLevel).join(Site).where(
            Site.trial_id == trial.id, Site.status == "active").order_by(Site.site_number)):
        have = counts.get(level.site_id, 0)
        if have <= level.minimum or not only_short:
            needs.append(ResupplyNeed(level.site, level.minimum, level.maximum, have))
    return needs
