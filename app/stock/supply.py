"""Which kits may ship or be dispensed, resupply needs, dispensing and returns."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.models import utcnow
from app.stock.catalog import supply_settings
from app.stock.ledger import StockError, transition
from app.stock.ledger_models import Dispensing, KitReturn
from app.stock.models import Kit, Location, ResupplyLevel
from app.stock.states import USABLE_STATES
from app.trials.models import Site, TrialVisit


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
                  limit=None):
    """Return usable kits at the locations, earliest expiry first, outside the DNS/DND window.

    window is 'dns' for shipping from a depot and 'dnd' for dispensing at a site.
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


def propose_kit(session, subject, on_date=None):
    """Return the kit the system proposes to dispense to a subject at their site, or None."""
    location = session.scalar(select(Location).where(Location.site_id == subject.site_id))
    if location is None:
        return None
    kits = eligible_kits(session, subject.trial, [location.id], window="dnd", on_date=on_date,
                         limit=1)
    return kits[0] if kits else None


def dispense_kit(session, subject, visit, proposed_kit, scanned_number, *, by, on_date=None):
    """Give the proposed kit to the subject at a visit once the scanned number matches it."""
    scanned = (scanned_number or "").strip()
    if visit.trial_id != subject.trial_id or not visit.active:
        raise StockError(_("This visit is not in the trial's schedule."), "visit_id")
    if subject.status not in ("enrolled", "screening"):
        raise StockError(_("Subject %(s)s is not on treatment; nothing can be dispensed.",
                           s=subject.code), "subject_id")
    if by is not None and by.is_site_scoped and subject.site_id not in by.site_ids:
        raise StockError(_("You can only dispense at your own sites."), "subject_id")
    settings = supply_settings(session, subject.trial)
    on_date = on_date or date.today()
    scanned_kit = session.scalar(select(Kit).where(Kit.trial_id == subject.trial_id,
                                                   Kit.kit_number == scanned))
    if scanned_kit is not None and (proposed_kit is None or scanned_kit.id != proposed_kit.id):
        _explain_unusable(scanned_kit, subject, settings, on_date)
    if proposed_kit is None:
        raise StockError(_("No kit at this site can be dispensed; ask for a resupply."),
                         "kit_number")
    if scanned != proposed_kit.kit_number:
        raise StockError(_("The kit number you scanned (%(scanned)s) is not the proposed kit "
                           "(%(kit)s). Nothing was dispensed.", scanned=scanned or "—",
                           kit=proposed_kit.kit_number), "kit_number")
    kit = proposed_kit
    _explain_unusable(kit, subject, settings, on_date)
    entry = transition(session, kit, "dispensed", "dispense", by=by,
                       document_ref=f"{subject.code} V{visit.number}")
    dispensing = Dispensing(kit_id=kit.id, subject_id=subject.id, visit_id=visit.id,
                            site_id=subject.site_id, dispensed_at=entry.occurred_at,
                            dispensed_by_id=by.id if by else None, entry_id=entry.id)
    session.add(dispensing)
    session.flush()
    return dispensing


def _explain_unusable(kit, subject, settings, on_date):
    """Refuse, in plain words, a kit that cannot be dispensed to this subject today."""
    from app.stock.states import refusal

    if kit.state == "dispensed":
        raise StockError(_("Kit %(kit)s has already been dispensed; it was scanned twice.",
                           kit=kit.kit_number), "kit_number")
    location = kit.location
    if kit.state in USABLE_STATES and (location is None or location.site_id != subject.site_id):
        raise StockError(_("Kit %(kit)s is not at this subject's site; it cannot be dispensed "
                           "here.", kit=kit.kit_number), "kit_number")
    message = refusal(kit.kit_number, kit.state, "dispensed", "dispense")
    if message:
        raise StockError(message, "kit_number")
    if kit.expires_on < on_date:
        raise StockError(_("Kit %(kit)s expired on %(date)s; it cannot be dispensed.",
                           kit=kit.kit_number, date=kit.expires_on.isoformat()), "kit_number")
    if kit.expires_on < on_date + timedelta(days=settings.dnd_days):
        raise StockError(_("Kit %(kit)s expires on %(date)s, inside the do-not-dispense "
                           "window; it cannot be dispensed.", kit=kit.kit_number,
                           date=kit.expires_on.isoformat()), "kit_number")


def return_kit(session, kit, *, units_returned, units_missing, condition, explanation=None,
               by=None):
    """Record a dispensed kit brought back by its subject, with units returned and missing."""
    dispensing = session.scalar(select(Dispensing).where(Dispensing.kit_id == kit.id))
    if dispensing is None or kit.state != "dispensed":
        raise StockError(_("Kit %(kit)s has not been dispensed, so it cannot be returned.",
                           kit=kit.kit_number), "kit_number")
    if by is not None and by.is_site_scoped and dispensing.site_id not in by.site_ids:
        raise StockError(_("You can only record returns at your own sites."), "kit_number")
    units = kit.product.units_per_kit
    if units_returned is None or units_missing is None or units_returned < 0 \
            or units_missing < 0:
        raise StockError(_("Units returned and missing cannot be negative."), "units_returned")
    if units_returned + units_missing > units:
        raise StockError(_("A kit holds %(n)s units; returned and missing together cannot be "
                           "more.", n=units), "units_returned")
    if units_missing and not (explanation or "").strip():
        raise StockError(_("Explain the missing units."), "explanation")
    entry = transition(session, kit, "returned", "return", by=by,
                       reason=(explanation or "").strip() or None,
                       document_ref=dispensing.subject.code)
    kit_return = KitReturn(kit_id=kit.id, subject_id=dispensing.subject_id,
                           site_id=dispensing.site_id, units_returned=units_returned,
                           units_missing=units_missing, condition=condition,
                           explanation=(explanation or "").strip() or None,
                           returned_at=utcnow(), entry_id=entry.id)
    session.add(kit_return)
    session.flush()
    return kit_return


def visit_choices(trial):
    """Return (id, label) for the active visits of a trial's schedule."""
    return [(v.id, f"V{v.number} · {v.name}") for v in trial.visits if v.active]


def get_visit(session, visit_id):
    """Return a visit by id or None."""
    return session.get(TrialVisit, visit_id) if visit_id else None
