"""Kit rules: the one place other domains narrow which kits may ship or be dispensed.

Stock knows expiry windows and kit states. Other domains know more: whether a lot is certified
and released for the destination country (labelling), whether a kit suits the subject's
treatment (blinding), which kit type a visit needs (the visit schedule). Each such domain lists
a rule module in its registration (``Domain(kit_rules=("app.<domain>.kit_rules",))``); the module
defines two functions:

``restrict(stmt, use)``
    Return ``stmt`` (a ``select(Kit)``) narrowed in SQL to the kits the rule allows, so that a
    proposal with a LIMIT still picks the right kits.
``refuse(session, kit, use)``
    Raise ``DomainError(reason, "kit_number")`` when a scanned kit breaks the rule. The reason
    must never name something the user may not see (a blinded user never reads a treatment).

``refuse_lot(session, lot, event)`` (optional)
    Raise ``DomainError`` when a lot may not yet take a step towards use: ``"certify"`` (the
    QP's certification), ``"release"`` (release for use) or ``"group"`` (joining a blinded lot).

Stock calls every installed rule wherever it proposes kits (``eligible_kits(..., use=...)``) and
wherever a scanned kit is checked (``check_kit_rules``). Rules import nothing from stock but its
api; stock imports no rule module.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class KitUse:
    """What a kit is wanted for: shipping to a site or dispensing to a subject."""

    purpose: str  # "ship" or "dispense"
    trial: object
    site: object = None  # the destination site (shipping) or the subject's site (dispensing)
    subject: object = None  # dispensing only
    visit: object = None  # dispensing only, when known
    on_date: date = None
    kit_type: object = None  # the kit type wanted (dispensing: the visit's next; resupply)


def installed_rules():
    """Return the rule modules the installed domains registered, in DOMAINS order."""
    from app.core.domains import REGISTRY

    return REGISTRY.kit_rules


def restrict_kits(stmt, use):
    """Narrow a select(Kit) by every installed rule."""
    if use is None:
        return stmt
    for rule in installed_rules():
        stmt = rule.restrict(stmt, use)
    return stmt


def check_kit_rules(session, kit, use):
    """Refuse a scanned kit that any installed rule forbids for this use."""
    if use is None:
        return
    for rule in installed_rules():
        rule.refuse(session, kit, use)


def check_lot_rules(session, lot, event):
    """Refuse a lot's step towards use (certify, release, group) that an installed rule forbids."""
    for rule in installed_rules():
        refuse_lot = getattr(rule, "refuse_lot", None)
        if refuse_lot is not None:
            refuse_lot(session, lot, event)
