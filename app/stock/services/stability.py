"""Stability budgets: how long a kit may spend out of its storage range, and its whole-life use.

A product's stability data allow, for example, at most 72 hours cumulated between 8 and
25 °C and never below 0 °C. Each kit carries its minutes out of range over its whole life
(every shipment and its site storage) and the coldest and warmest readings seen meanwhile.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app.core.errors import DomainError

BUDGET_FIELDS = ("budget_hours", "budget_low_c", "budget_high_c", "absolute_min_c")


def check_budget(data):
    """Refuse a stability budget with a negative duration or an upper limit below the lower."""
    hours, low, high, floor = (data.get(name) for name in BUDGET_FIELDS)
    if hours is not None and hours < 0:
        raise DomainError(_("The allowed time out of range cannot be negative."),
                          "budget_hours")
    if low is not None and high is not None and high <= low:
        raise DomainError(_("The upper limit of the allowed excursion must be above the lower "
                            "limit."), "budget_high_c")
    if floor is not None and low is not None and floor > low:
        raise DomainError(_("The absolute minimum cannot be above the lower limit of the "
                            "allowed excursion."), "absolute_min_c")
    if hours is not None and (low is None or high is None):
        raise DomainError(_("Give the temperature band the allowed time applies to."),
                          "budget_low_c")


def add_exposure(session, kits, minutes, lowest=None, highest=None, source=None):
    """Add minutes out of range (and the extremes seen) to each kit's whole-life exposure.

    source: ("shipment" or "storage", its id, its reference), kept per kit for the kit page.
    """
    from app.stock.models import KitExposure

    for kit in kits:
        if source is not None and (minutes or lowest is not None or highest is not None):
            session.add(KitExposure(kit_id=kit.id, source=source[0], source_id=source[1],
                                    reference=source[2], minutes_out=float(minutes or 0),
                                    lowest_c=lowest, highest_c=highest))
        kit.minutes_out = round((kit.minutes_out or 0.0) + float(minutes or 0), 1)
        if lowest is not None:
            kit.lowest_c = lowest if kit.lowest_c is None else min(kit.lowest_c, lowest)
        if highest is not None:
            kit.highest_c = highest if kit.highest_c is None else max(kit.highest_c, highest)
    session.flush()


@dataclass
class BudgetUse:
    """A kit's exposure against its product's stability budget, and what QA is proposed."""

    minutes_used: float
    budget_minutes: float | None
    outside_limits: bool
    proposal: str | None  # "released", "rejected", or None: no budget, QA judges alone

    @property
    def percent(self):
        """Return the share of the budget used, or None without a budget."""
        if not self.budget_minutes:
            return None
        return round(100 * self.minutes_used / self.budget_minutes)


def budget_use(kit):
    """Return the kit's BudgetUse: release within budget, reject over it or past the limits."""
    product = kit.product
    used = float(kit.minutes_out or 0.0)
    budget = (float(product.budget_hours) * 60 if product.budget_hours is not None else None)
    floor = product.absolute_min_c
    ceiling = product.budget_high_c
    outside = bool(
        (floor is not None and kit.lowest_c is not None and Decimal(str(kit.lowest_c)) < floor)
        or (ceiling is not None and kit.highest_c is not None
            and Decimal(str(kit.highest_c)) > ceiling))
    if outside or (budget is not None and used > budget):
        return BudgetUse(used, budget, outside, "rejected")
    return BudgetUse(used, budget, outside, "released" if budget is not None else None)


# Where a QA decision sends quarantined kits: (state, ledger event).
QA_MOVES = {"released": ("available", "release"), "rejected": ("pending_destruction", "adjustment")}


def check_qa_decision(decision, reason, kits, departure_reason=None):
    """Check a QA decision on kits after an excursion; return (reason, departure reason kept).

    The stability budget proposes release (within budget) or reject (over it, or beyond the
    absolute limits); QA decides, and departs from the proposal only with a reason. Shipments
    and site storage decide through this one rule.
    """
    if decision not in QA_MOVES:
        raise DomainError(_("Choose release or reject."), "decision")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the decision."), "reason")
    if not kits:
        raise DomainError(_("Choose at least one kit waiting for a decision."), "kits")
    departure_reason = (departure_reason or "").strip() or None
    departing = [kit.kit_number for kit in kits
                 if budget_use(kit).proposal not in (None, decision)]
    if departing and departure_reason is None:
        raise DomainError(_("The stability budget proposes the other decision for %(kits)s. "
                            "Say why you depart from the proposal.",
                            kits=", ".join(departing)), "departure_reason")
    return reason, (departure_reason if departing else None)


def sign_qa_decision(session, anchor, pending, line_ids, decision, reason, *, signer, password,
                     departure_reason=None, permission, record, document_ref, mover):
    """Decide on quarantined lines the one way shipments and site storage share; return it.

    anchor: the existing record a wrong password is recorded against (nothing else is made);
    pending: the lines still waiting, of which line_ids are chosen; record(reason=...,
    departure_reason=..., decision=..., decided_by_id=...): the unsaved decision record;
    mover: the ledger move, called as stock's move_kits. The lines get the outcome; the
    record is signed with the decision as its meaning.
    """
    from app.esign.services import check_password_first, sign

    if not signer.can(permission):
        raise DomainError(_("Only QA may decide on kits after an excursion."))
    wanted = set(line_ids or ())
    lines = [line for line in pending if line.id in wanted]
    reason, departure_reason = check_qa_decision(
        decision, reason, [line.kit for line in lines], departure_reason)
    check_password_first(session, anchor, meaning=decision, signer=signer, password=password)
    made = record(decision=decision, reason=reason, departure_reason=departure_reason,
                  decided_by_id=signer.id)
    made.lines = lines
    session.add(made)
    session.flush()
    sign(session, made, meaning=decision, signer=signer, password=password)
    state, event = QA_MOVES[decision]
    mover(session, [line.kit for line in lines], state, event, by=signer,
          document_ref=document_ref, reason=reason)
    for line in lines:
        line.qa_outcome = decision
    session.flush()
    return made


def decided_message(record):
    """Return the flash text after a QA decision on kits."""
    if record.decision == "released":
        return _("%(n)s kits released: they are available again.", n=len(record.lines))
    return _("%(n)s kits rejected: they are pending destruction.", n=len(record.lines))
