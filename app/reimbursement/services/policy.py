"""Per-trial policy: defaults, amounts computed from it, and its plain-language reading."""

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_currency, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import set_reason
from app.reimbursement.models import CATEGORIES, PolicyCategory, ReimbursementPolicy

CENT = Decimal("0.01")

# Spain's customary mileage rate for trial participants (see DOMAIN.md): 0.26 EUR/km.
DEFAULT_MILEAGE_RATE = Decimal("0.26")

# category: (kind, receipt required, receipt above this amount)
DEFAULT_RULES = {
    "car_mileage": ("flat_allowance", False, Decimal("0")),
    "public_transport": ("actual_cost", True, Decimal("0")),
    "taxi": ("actual_cost", True, Decimal("0")),
    "parking_tolls": ("actual_cost", True, Decimal("5.00")),
    "meals": ("flat_allowance", False, Decimal("0")),
    "lodging": ("actual_cost", True, Decimal("0")),
    "other": ("compensation", True, Decimal("0")),
}

POLICY_FIELDS = ("mileage_rate", "max_km_per_trip", "cap_per_line", "cap_per_visit",
                 "cap_per_month", "per_diem_amount", "per_night_amount", "days_from_visit")


def cents(value):
    """Return value rounded half-up to the cent."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def default_policy(trial):
    """Return the default policy of a trial, not saved (the column defaults, every category)."""
    columns = ReimbursementPolicy.__table__.c
    values = {name: columns[name].default.arg for name in POLICY_FIELDS
              if columns[name].default is not None}
    policy = ReimbursementPolicy(trial_id=trial.id, trial=trial,
                                 **{**values, "mileage_rate": DEFAULT_MILEAGE_RATE})
    for position, (category, (kind, receipt, above)) in enumerate(DEFAULT_RULES.items()):
        policy.categories.append(PolicyCategory(
            category=category, position=position, allowed=True, kind=kind,
            receipt_required=receipt, receipt_above=above))
    return policy


def stored_policy(session, trial):
    """Return the trial's saved policy or None."""
    return session.scalar(select(ReimbursementPolicy).where(
        ReimbursementPolicy.trial_id == trial.id))


def policy_or_default(session, trial):
    """Return the trial's policy for reading: the saved one, else the defaults unsaved."""
    return stored_policy(session, trial) or default_policy(trial)


def policy_for(session, trial):
    """Return the trial's policy for a change, saving the defaults on first use."""
    policy = stored_policy(session, trial)
    if policy is None:
        policy = default_policy(trial)
        session.add(policy)
        session.flush()
    return policy


def save_policy(session, trial, values, categories, reason):
    """Change rates, caps and category rules, giving the reason the audit trail keeps.

    The first save creates the trial's policy (until then readers see the defaults unsaved).
    """
    set_reason(session, reason)
    policy = policy_for(session, trial)
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    for rule in policy.categories:
        wanted = categories.get(rule.category)
        if wanted:
            rule.allowed = wanted["allowed"]
            rule.kind = wanted["kind"]
            rule.receipt_required = wanted["receipt_required"]
            rule.receipt_above = wanted["receipt_above"] or Decimal("0")
    session.flush()
    return policy


def computed_amount(policy, category, quantity, amount):
    """Return the amount a line is worth: km x rate, flat per diem or per night, else as typed."""
    rule = policy.rule(category)
    if category == "car_mileage":
        return cents(Decimal(quantity) * policy.mileage_rate)
    if rule is not None and rule.kind == "flat_allowance" and category == "meals":
        return cents(policy.per_diem_amount * Decimal(quantity or 1))
    if rule is not None and rule.kind == "flat_allowance" and category == "lodging":
        return cents(policy.per_night_amount * Decimal(quantity or 1))
    return cents(amount)


def needs_quantity(policy, category):
    """Return True when the line's amount comes from a quantity (km, days, nights)."""
    rule = policy.rule(category)
    return category == "car_mileage" or (
        rule is not None and rule.kind == "flat_allowance" and category in ("meals", "lodging"))


def plain_language(policy):
    """Return the policy as short sentences a patient can read."""
    def eur(value):
        return format_currency(value, "EUR")

    lines = []
    allowed = [r for r in policy.categories if r.allowed]
    lines.append(_("You can claim: %(list)s.",
                   list=", ".join(str(CATEGORIES[r.category]) for r in allowed)))
    if policy.rule("car_mileage") and policy.rule("car_mileage").allowed:
        lines.append(_("Travel by your own car is paid at %(rate)s per kilometre, up to "
                       "%(km)s km per trip.", rate=eur(policy.mileage_rate),
                       km=format_decimal(policy.max_km_per_trip)))
    meals = policy.rule("meals")
    if meals and meals.allowed and meals.kind == "flat_allowance":
        lines.append(_("Meals are paid as a fixed amount of %(amount)s per day; no receipt "
                       "is needed.", amount=eur(policy.per_diem_amount)))
    lodging = policy.rule("lodging")
    if lodging and lodging.allowed:
        if lodging.kind == "flat_allowance":
            lines.append(_("Lodging is paid as a fixed amount of %(amount)s per night.",
                           amount=eur(policy.per_night_amount)))
        else:
            lines.append(_("Lodging is paid at what it cost, up to %(amount)s per night.",
                           amount=eur(policy.per_night_amount)))
    for rule in allowed:
        if rule.receipt_required and rule.category != "car_mileage":
            if rule.receipt_above:
                lines.append(_("%(category)s: attach a receipt when the amount is over "
                               "%(amount)s.", category=CATEGORIES[rule.category],
                               amount=eur(rule.receipt_above)))
            else:
                lines.append(_("%(category)s: always attach a receipt.",
                               category=CATEGORIES[rule.category]))
    if policy.cap_per_line:
        lines.append(_("Each expense is paid up to %(amount)s.", amount=eur(policy.cap_per_line)))
    if policy.cap_per_visit:
        lines.append(_("Each visit is paid up to %(amount)s in total.",
                       amount=eur(policy.cap_per_visit)))
    if policy.cap_per_month:
        lines.append(_("Each month is paid up to %(amount)s in total.",
                       amount=eur(policy.cap_per_month)))
    lines.append(_("Claim only costs that nobody else has paid back to you."))
    return lines
