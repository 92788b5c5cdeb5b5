"""Drug accountability per site and per trial: counts, dispensings, returns, discrepancies."""

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.core.errors import DomainError
from app.esign.services import sign, signatures_for
from app.stock.models import (
    AccountabilityReview,
    Dispensing,
    KitReturn,
    Location,
    StockBalance,
    StockEntry,
)
from app.stock.services.dispositions import final_dispositions
from app.trials.api import Site

SIGN_MEANING = "submitted"      # the site pharmacist submits the log
VERIFY_MEANING = "verified"     # the monitor verifies it
COUNTED_EVENTS = ("receipt", "transfer_in", "dispense", "return", "transfer_out",
                  "destruction", "loss")


@dataclass
class Accountability:
    """The reconciliation of one site or one trial's sites, up to a ledger line."""

    location_ids: list
    last_entry_id: int
    counts: dict = field(default_factory=dict)
    on_hand: int = 0
    units_missing: int = 0
    discrepancies: list = field(default_factory=list)
    # Kits of the site(s) destroyed elsewhere (a depot), as Dispositions; None on a log
    # signed before final dispositions were part of the log (shown as it was signed).
    dispositions: list | None = field(default_factory=list)

    @property
    def destroyed_elsewhere(self):
        """Return how many of the site's kits were destroyed after they left it."""
        return sum(d.kits for d in self.dispositions or ())

    @property
    def expected_on_hand(self):
        """Return what the movements say should be on hand."""
        c = self.counts
        return (c.get("receipt", 0) + c.get("transfer_in", 0) - c.get("dispense", 0)
                + c.get("return", 0) - c.get("transfer_out", 0) - c.get("destruction", 0)
                - c.get("loss_on_hand", 0) + c.get("corrections", 0))

    @property
    def difference(self):
        """Return on hand minus expected (zero when the log reconciles)."""
        return self.on_hand - self.expected_on_hand

    def as_totals(self):
        """Return the figures a signature binds to."""
        return {"counts": self.counts, "on_hand": self.on_hand,
                "expected_on_hand": self.expected_on_hand, "units_missing": self.units_missing,
                "discrepancies": len(self.discrepancies),
                "destroyed_elsewhere": self.destroyed_elsewhere}


def site_location_ids(session, *, site=None, trial=None):
    """Return the stock location ids of a site or of all sites of a trial."""
    stmt = select(Location.id).join(Site, Site.id == Location.site_id)
    stmt = stmt.where(Site.id == site.id) if site is not None else stmt.where(
        Site.trial_id == trial.id)
    return list(session.scalars(stmt))


def compute(session, *, site=None, trial=None, last_entry_id=None):
    """Return the accountability of a site or trial, from the ledger.

    Up to a given ledger line (a frozen log) every figure, on hand included, is summed from
    the ledger lines up to it, so later movements never change it. Without one (today's
    screen) on hand is the kept-current balance, so a balance that drifted from the ledger
    shows as a difference.
    """
    location_ids = site_location_ids(session, site=site, trial=trial)
    frozen = last_entry_id is not None
    if last_entry_id is None:
        last_entry_id = session.scalar(select(func.max(StockEntry.id))) or 0
    result = Accountability(location_ids=location_ids, last_entry_id=last_entry_id)
    if not location_ids:
        return result
    scope = (StockEntry.location_id.in_(location_ids), StockEntry.id <= last_entry_id)
    for event, corrected, count in session.execute(
            select(StockEntry.event, StockEntry.reversal_of_id.is_not(None), func.count())
            .where(*scope).group_by(StockEntry.event, StockEntry.reversal_of_id.is_not(None))):
        if corrected:
            continue
        result.counts[event] = result.counts.get(event, 0) + count
    result.counts["loss_on_hand"] = session.scalar(
        select(func.count()).where(*scope, StockEntry.event == "loss",
                                   StockEntry.on_hand_delta < 0)) or 0
    # Corrections and adjustments change on-hand outside the counted events.
    result.counts["corrections"] = int(session.scalar(
        select(func.coalesce(func.sum(StockEntry.on_hand_delta), 0)).where(
            *scope, (StockEntry.reversal_of_id.is_not(None))
            | StockEntry.event.in_(("adjustment", "quarantine", "release", "damage",
                                    "expiry")))) or 0)
    # Frozen: on hand as of the freeze point. Today: the kept-current balance projection.
    on_hand = (select(func.coalesce(func.sum(StockEntry.on_hand_delta), 0)).where(*scope)
               if frozen else select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(
                   StockBalance.location_id.in_(location_ids)))
    result.on_hand = int(session.scalar(on_hand) or 0)
    site_filter = _site_filter(session, site, trial)
    result.units_missing = int(session.scalar(
        select(func.coalesce(func.sum(KitReturn.units_missing), 0)).where(
            site_filter(KitReturn.site_id), KitReturn.entry_id <= last_entry_id)) or 0)
    for entry in session.scalars(select(StockEntry).where(*scope, StockEntry.event == "loss")
                                 .order_by(StockEntry.id)):
        result.discrepancies.append((entry.occurred_at, entry.kit.kit_number, _("Kit lost"),
                                     entry.reason or ""))
    for kit_return in session.scalars(select(KitReturn).where(
            site_filter(KitReturn.site_id), KitReturn.units_missing > 0,
            KitReturn.entry_id <= last_entry_id).order_by(KitReturn.id)):
        result.discrepancies.append((
            kit_return.returned_at, kit_return.kit.kit_number,
            _("%(n)s units missing on return", n=kit_return.units_missing),
            kit_return.explanation or ""))
    result.dispositions = final_dispositions(session, location_ids, last_entry_id)
    return result


def compute_review(session, review):
    """Return the figures of a frozen review exactly as they were signed.

    A review frozen before final dispositions joined the log has no "destroyed_elsewhere" in
    its totals: its figures are shown without them, as signed.
    """
    figures = compute(session, site=review.site, trial=review.trial,
                      last_entry_id=review.last_entry_id)
    if "destroyed_elsewhere" not in json.loads(review.totals or "{}"):
        figures.dispositions = None
    return figures


def _site_filter(session, site, trial):
    if site is not None:
        return lambda column: column == site.id
    site_ids = select(Site.id).where(Site.trial_id == trial.id)
    return lambda column: column.in_(site_ids)


def dispensings(session, *, site=None, trial=None, last_entry_id=None):
    """Return a select of dispensings of the site or trial, oldest first."""
    stmt = select(Dispensing).order_by(Dispensing.dispensed_at, Dispensing.id)
    stmt = stmt.where(_site_filter(session, site, trial)(Dispensing.site_id))
    if last_entry_id is not None:
        stmt = stmt.where(Dispensing.entry_id <= last_entry_id)
    return stmt


def returns(session, *, site=None, trial=None, last_entry_id=None):
    """Return a select of kit returns of the site or trial (up to a ledger line), oldest first."""
    stmt = select(KitReturn).where(_site_filter(session, site, trial)(KitReturn.site_id)) \
        .order_by(KitReturn.returned_at, KitReturn.id)
    if last_entry_id is not None:
        stmt = stmt.where(KitReturn.entry_id <= last_entry_id)
    return stmt


def freeze(session, *, site=None, trial=None, by=None):
    """Freeze today's accountability into a review record to sign; return it."""
    last_entry_id = session.scalar(select(func.max(StockEntry.id))) or 0
    figures = compute(session, site=site, trial=trial, last_entry_id=last_entry_id)
    review = AccountabilityReview(
        site_id=site.id if site else None, trial_id=trial.id if trial else None,
        last_entry_id=figures.last_entry_id,
        totals=json.dumps(figures.as_totals(), sort_keys=True),
        created_by_id=by.id if by else None)
    session.add(review)
    session.flush()
    return review


def meaning_open_to(user, signed_meanings, site_id=None):
    """Return the meaning the user may sign a review with now, or None.

    The pharmacist (accountability.sign) submits an unsigned review; the monitor
    (accountability.verify) then verifies a submitted one. Each meaning is signed once.
    """
    def reaches(permission):  # a site's review: the permission must reach that site
        return user.can(permission) and (site_id is None or user.sees_site(permission, site_id))

    if reaches("accountability.sign") and SIGN_MEANING not in signed_meanings:
        return SIGN_MEANING
    if reaches("accountability.verify") and SIGN_MEANING in signed_meanings \
            and VERIFY_MEANING not in signed_meanings:
        return VERIFY_MEANING
    return None


def may_sign(user, signed_meanings, meaning):
    """Return True when the user may sign a review with this meaning now."""
    if meaning == SIGN_MEANING:
        return user.can("accountability.sign") and SIGN_MEANING not in signed_meanings
    if meaning == VERIFY_MEANING:
        return (user.can("accountability.verify") and SIGN_MEANING in signed_meanings
                and VERIFY_MEANING not in signed_meanings)
    return False


def check_may_sign(session, review, user, meaning):
    """Raise DomainError unless the user may sign the review with this meaning now."""
    signed = {s.meaning for s in signatures_for(session, review)}
    if not may_sign(user, signed, meaning) or (
            review.site_id is not None and meaning == SIGN_MEANING
            and not user.sees_site("accountability.sign", review.site_id)):
        raise DomainError(_("This review cannot be signed with that meaning by you now."))


def sign_review(session, review, *, meaning, signer, password, comment=None):
    """Sign a frozen review: submitted by the pharmacist first, then verified by the monitor."""
    check_may_sign(session, review, signer, meaning)
    role = "site" if meaning == SIGN_MEANING else "monitor"  # who submits, who verifies
    try:
        return sign(session, review, meaning=meaning, signer=signer, password=password,
                    role=role, comment=comment)
    except OperationalError as error:  # SQLite: a parallel signer holds the database
        raise DomainError(_("Someone else signed or changed this record at the same moment. "
                            "Reload the page and try again.")) from error
