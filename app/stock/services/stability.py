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


def add_exposure(session, kits, minutes, lowest=None, highest=None):
    """Add minutes out of range (and the extremes seen) to each kit's whole-life exposure."""
    for kit in kits:
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
