"""The lines of a batch record: materials, steps, in-process checks, yield, deviations.

Definitions (materials issued, steps, checks with limits) are written in draft or production;
results only in production. A result outside its limits, an unbalanced reconciliation or a
yield outside its limits is recorded only together with the deviation that describes it.
"""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.blinding.models import (
    BATCH_CHECK_KINDS,
    DEVIATION_TOPICS,
    BatchCheck,
    BatchDeviation,
    BatchMaterial,
    BatchStep,
)
from app.blinding.services.batch_records import require_state
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.templating import number
from app.esign.services import sign

EDITABLE = ("draft", "in_production")


def _text(value, field, limit, required=True):
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)s characters.", n=limit), field)
    return value or None


def _quantity(value, field, *, positive=False):
    if value is None:
        raise DomainError(_("Give a quantity."), field)
    if value < 0 or (positive and value == 0):
        raise DomainError(_("The quantity must be more than zero.") if positive
                          else _("The quantity cannot be negative."), field)
    return value


def raise_deviation(session, record, *, by, description, impact=None, topic="other"):
    """Record a deviation of the batch (open until QA closes it)."""
    require_state(record, "in_production", "awaiting_qa")
    if topic not in DEVIATION_TOPICS:
        raise DomainError(_("Choose what the deviation is about."), "topic")
    description = _text(description, "description", 4000)
    number = (session.scalar(select(func.max(BatchDeviation.number)).where(
        BatchDeviation.record_id == record.id)) or 0) + 1
    deviation = BatchDeviation(
        record_id=record.id, number=number, topic=topic, description=description,
        impact=_text(impact, "impact", 4000, required=False), status="open",
        raised_by_id=by.id, raised_at=utcnow())
    session.add(deviation)
    session.flush()
    session.refresh(record, ["deviations"])
    return deviation


def close_deviation(session, deviation, *, by, impact, capa):
    """QA closes a deviation with its impact assessment and corrective/preventive action."""
    require_state(deviation.record, "in_production", "awaiting_qa")
    if not by.can("blinding.batch_release"):
        raise DomainError(_("Only QA may close a deviation."))
    if deviation.status != "open":
        raise DomainError(_("Deviation #%(n)s is already closed.", n=deviation.number))
    deviation.impact = _text(impact, "impact", 4000)
    deviation.capa = _text(capa, "capa", 4000)
    deviation.status, deviation.closed_by_id, deviation.closed_at = "closed", by.id, utcnow()
    session.flush()
    return deviation


def _with_deviation(session, record, by, text, topic, field, message):
    """Return a new deviation for an out-of-limit result, or refuse when none is described."""
    if not (text or "").strip():
        raise DomainError(message, field)
    return raise_deviation(session, record, by=by, description=text, topic=topic)


def add_material(session, record, *, material, supplier_lot, unit, issued):
    """Issue a material to the batch: name, supplier lot, unit and quantity issued."""
    require_state(record, *EDITABLE)
    line = BatchMaterial(
        record_id=record.id, material=_text(material, "material", 200),
        supplier_lot=_text(supplier_lot, "supplier_lot", 80), unit=_text(unit, "unit", 20),
        issued=_quantity(issued, "issued", positive=True))
    session.add(line)
    session.flush()
    session.refresh(record, ["materials"])
    return line


def reconcile_material(session, material, *, by, used, returned, wasted, deviation=None):
    """Record used, returned and wasted; issued must equal their sum, or a deviation says why."""
    record = material.record
    require_state(record, "in_production")
    used, returned = _quantity(used, "used"), _quantity(returned, "returned")
    wasted = _quantity(wasted, "wasted")
    difference = material.issued - (used + returned + wasted)
    if difference != 0:
        found = _with_deviation(
            session, record, by, deviation, "material", "deviation",
            _("Issued %(issued)s %(unit)s but used + returned + wasted make %(sum)s %(unit)s: "
              "the reconciliation does not balance. Describe the deviation.",
              issued=number(material.issued), sum=number(used + returned + wasted),
              unit=material.unit))
        material.deviation_id = found.id
    material.used, material.returned, material.wasted = used, returned, wasted
    session.flush()
    return material


def add_step(session, record, *, instruction):
    """Add a step to the record (numbered in order)."""
    require_state(record, *EDITABLE)
    position = (session.scalar(select(func.max(BatchStep.position)).where(
        BatchStep.record_id == record.id)) or 0) + 1
    step = BatchStep(record_id=record.id, position=position,
                     instruction=_text(instruction, "instruction", 2000))
    session.add(step)
    session.flush()
    session.refresh(record, ["steps"])
    return step


def perform_step(session, step, *, by, password, note=None):
    """The operator signs that the step was done ("Performed")."""
    require_state(step.record, "in_production")
    if step.done_at is not None:
        raise DomainError(_("Step %(n)s is already done.", n=step.position))
    note = _text(note, "note", 2000, required=False)
    step.operator_id = by.id  # part of what the operator and later the checker sign
    sign(session, step, meaning="performed", signer=by, password=password, comment=note)
    step.done_at, step.operator_note = utcnow(), note
    session.flush()
    return step


def check_step(session, step, *, by, password):
    """A second person, not the operator, checks the step by e-signature ("Verified")."""
    require_state(step.record, "in_production")
    if step.done_at is None:
        raise DomainError(_("Step %(n)s is not done yet.", n=step.position))
    if step.checked_at is not None:
        raise DomainError(_("Step %(n)s is already checked.", n=step.position))
    if by.id == step.operator_id:
        raise DomainError(_("The operator cannot check their own step: a second person must."),
                          "password")
    sign(session, step, meaning="verified", signer=by, password=password)
    step.checker_id, step.checked_at = by.id, utcnow()
    session.flush()
    return step


def add_check(session, record, *, kind, name, unit=None, lower=None, upper=None):
    """Define an in-process check: appearance match, or a weight/count with its limits."""
    require_state(record, *EDITABLE)
    if kind not in BATCH_CHECK_KINDS:
        raise DomainError(_("Choose the kind of check."), "kind")
    name = _text(name, "name", 200)
    if kind == "appearance":
        unit = lower = upper = None
    else:
        unit = _text(unit, "unit", 20)
        if lower is None or upper is None:
            raise DomainError(_("Give the lower and upper limits."),
                              "lower" if lower is None else "upper")
        if upper < lower:
            raise DomainError(_("The upper limit is below the lower limit."), "upper")
        if kind == "count" and (lower != lower.to_integral() or upper != upper.to_integral()):
            raise DomainError(_("A count has whole-number limits."), "lower")
    check = BatchCheck(record_id=record.id, kind=kind, name=name, unit=unit, lower=lower,
                       upper=upper)
    session.add(check)
    session.flush()
    session.refresh(record, ["checks"])
    return check


def record_check(session, check, *, by, result=None, appearance_match=None, comment=None,
                 deviation=None):
    """Record a check's result; a result outside its limits needs its deviation described."""
    record = check.record
    require_state(record, "in_production")
    if check.done:
        raise DomainError(_("This check already has a result."))
    comment = _text(comment, "comment", 2000, required=False)
    if check.kind == "appearance":
        if appearance_match is None:
            raise DomainError(_("Say whether the appearance matches the active product."),
                              "appearance_match")
        within = bool(appearance_match)
        if not within and not comment:
            raise DomainError(_("Describe how the appearance differs."), "comment")
        result = None
    else:
        result = _quantity(result, "result")
        if check.kind == "count" and result != result.to_integral():
            raise DomainError(_("A count is a whole number."), "result")
        within = check.lower <= result <= check.upper
    if not within:
        found = _with_deviation(
            session, record, by, deviation, "check", "deviation",
            _("The result is outside the limits: describe the deviation."))
        check.deviation_id = found.id
    check.result, check.appearance_match, check.comment = result, appearance_match, comment
    check.within_limits, check.checked_by_id, check.checked_at = within, by.id, utcnow()
    session.flush()
    return check


def record_yield(session, record, *, by, actual, deviation=None):
    """Record the quantity produced; a yield outside its limits needs its deviation."""
    require_state(record, "in_production")
    actual = _quantity(actual, "actual_quantity")
    pct = (actual * 100 / record.expected_quantity).quantize(Decimal("0.01"))
    if not record.yield_min_pct <= pct <= record.yield_max_pct:
        _with_deviation(
            session, record, by, deviation, "yield", "deviation",
            _("The yield of %(pct)s %% is outside %(low)s–%(high)s %%: describe the deviation.",
              pct=number(pct), low=number(record.yield_min_pct),
              high=number(record.yield_max_pct)))
    record.actual_quantity = actual
    session.flush()
    return record
