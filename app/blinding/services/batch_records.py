"""Masking and placebo batch records: open one, start, submit to QA, release or reject.

QA releases by e-signature only when every step is done and checked by a second person, every
in-process check has a result, every material is reconciled (issued = used + returned +
wasted, or explained by a deviation), the yield is recorded (outside its limits only with a
deviation) and no deviation is open. A released record never changes; its output lot may then
feed blinded lots and kits (app/blinding/kit_rules.py holds the gate).
"""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.blinding.models import BATCH_KINDS, BatchRecord
from app.blinding.states import BATCH_RECORD
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.unique import refuse_taken
from app.esign.services import sign
from app.stock.api import Lot

KINDS_MATCHING_A_LOT = frozenset({"placebo", "over_encapsulation"})
FINAL_STATES = frozenset({"released", "rejected"})
HEADER_TEXTS = (("number", 40), ("sponsor_order", 80), ("quantity_unit", 20))


def refuse_final(record):
    """Refuse any change to a released or rejected record."""
    if record.status in FINAL_STATES:
        raise DomainError(_("Batch record %(n)s is %(state)s: it can no longer change.",
                            n=record.number, state=_state(record)))


def require_state(record, *states):
    """Refuse unless the record is in one of these states (and never once released)."""
    refuse_final(record)
    if record.status not in states:
        raise DomainError(_("Batch record %(n)s is %(state)s: this cannot be done now.",
                            n=record.number, state=_state(record)))


def _state(record):
    return str(BATCH_RECORD.label(record.status)).lower()


def _text(data, name, limit):
    value = (data.get(name) or "").strip()
    if not value:
        raise DomainError(_("This field is required."), name)
    if len(value) > limit:
        raise DomainError(_("At most %(n)s characters.", n=limit), name)
    return value


def _check_lots(session, trial, kind, matched, output):
    if kind in KINDS_MATCHING_A_LOT and matched is None:
        raise DomainError(_("Choose the active or comparator lot this batch matches."),
                          "matched_lot_id")
    if output is None:
        raise DomainError(_("Choose the lot this batch produces."), "output_lot_id")
    if matched is not None and matched.id == output.id:
        raise DomainError(_("The lot produced cannot be the lot it matches."), "output_lot_id")
    if output.trial_id not in (None, trial.id):
        raise DomainError(_("Lot %(lot)s belongs to another trial.", lot=output.number),
                          "output_lot_id")
    if output.status != "quarantine":
        raise DomainError(_("Lot %(lot)s is not in quarantine: the lot a batch record produces "
                            "waits in quarantine until QA releases the record.",
                            lot=output.number), "output_lot_id")
    if session.scalar(select(BatchRecord.id).where(BatchRecord.output_lot_id == output.id)):
        raise DomainError(_("Lot %(lot)s is already produced by another batch record.",
                            lot=output.number), "output_lot_id")


def _yield_limits(data):
    expected = data.get("expected_quantity")
    if expected is None or expected <= 0:
        raise DomainError(_("Give the expected quantity (more than zero)."),
                          "expected_quantity")
    low, high = data.get("yield_min_pct"), data.get("yield_max_pct")
    if low is None or low < 0:
        raise DomainError(_("Give the lowest acceptable yield in per cent."), "yield_min_pct")
    if high is None or high < low or high > Decimal("200"):
        raise DomainError(_("The highest acceptable yield must lie between the lowest and "
                            "200 %."), "yield_max_pct")
    return expected, low, high


def create_record(session, trial, data, *, by):
    """Open a batch record (draft) for a sponsor's order; data holds the form's fields."""
    values = {name: _text(data, name, limit) for name, limit in HEADER_TEXTS}
    refuse_taken(session, BatchRecord.number, values["number"],
                 _("Another batch record already has this number."), "number")
    kind = data.get("kind")
    if kind not in BATCH_KINDS:
        raise DomainError(_("Choose what is made."), "kind")
    description = _text(data, "description", 4000)
    matched = session.get(Lot, data["matched_lot_id"]) if data.get("matched_lot_id") else None
    output = session.get(Lot, data["output_lot_id"]) if data.get("output_lot_id") else None
    _check_lots(session, trial, kind, matched, output)
    expected, low, high = _yield_limits(data)
    record = BatchRecord(
        trial_id=trial.id, kind=kind, description=description,
        matched_lot_id=matched.id if matched else None, output_lot_id=output.id,
        expected_quantity=expected, yield_min_pct=low, yield_max_pct=high, status="draft",
        created_by_id=by.id, **values)
    session.add(record)
    session.flush()
    return record


def start_production(session, record, *, by):
    """Start production: the record lists its materials, its steps and its checks."""
    if not record.materials:
        raise DomainError(_("List the materials issued before production starts."))
    if not record.steps:
        raise DomainError(_("List the steps before production starts."))
    if not record.checks:
        raise DomainError(_("List the in-process checks before production starts."))
    apply_transition(session, BATCH_RECORD, record, "start", by=by)
    return record


def missing_for_release(record):
    """Return, in words, what still stops QA releasing the record (empty when nothing)."""
    missing = []
    for step in record.steps:
        if step.done_at is None:
            missing.append(_("Step %(n)s is not done.", n=step.position))
        elif step.checked_at is None:
            missing.append(_("Step %(n)s has not been checked by a second person.",
                             n=step.position))
    missing += [_("Check “%(name)s” has no result.", name=c.name)
                for c in record.checks if not c.done]
    for material in record.materials:
        if not material.reconciled:
            missing.append(_("Material %(m)s (lot %(lot)s) is not reconciled.",
                             m=material.material, lot=material.supplier_lot))
        elif material.difference != 0 and material.deviation_id is None:
            missing.append(_("Material %(m)s (lot %(lot)s) does not balance: issued must equal "
                             "used + returned + wasted.", m=material.material,
                             lot=material.supplier_lot))
    if record.actual_quantity is None:
        missing.append(_("The yield is not recorded."))
    elif not record.yield_within_limits and not any(
            d.topic == "yield" for d in record.deviations):
        missing.append(_("The yield is outside its limits and no deviation records it."))
    return missing


def open_deviations(record):
    """Return the record's deviations that are still open."""
    return [d for d in record.deviations if d.status == "open"]


def submit_for_release(session, record, *, by):
    """Hand the completed record to QA."""
    missing = missing_for_release(record)
    if missing:
        raise DomainError(" ".join(str(m) for m in missing))
    apply_transition(session, BATCH_RECORD, record, "submit", by=by)
    return record


def _refuse_release(record, by):
    if by.id == record.created_by_id or any(
            by.id in (s.operator_id, s.checker_id) for s in record.steps):
        raise DomainError(_("QA release must come from someone who neither opened the record "
                            "nor did or checked a step."), "password")
    missing = missing_for_release(record)
    if missing:
        raise DomainError(" ".join(str(m) for m in missing), "password")
    still_open = open_deviations(record)
    if still_open:
        raise DomainError(_("Deviations still open: %(list)s. QA closes them before release.",
                            list=", ".join(f"#{d.number}" for d in still_open)), "password")


def release_record(session, record, *, by, password):
    """QA releases the record by e-signature ("Released"); its output lot may then be used."""
    require_state(record, "awaiting_qa")
    if not by.can("blinding.batch_release"):
        raise DomainError(_("Only QA may release a batch record."), "password")
    _refuse_release(record, by)
    signature = sign(session, record, meaning="released", signer=by, password=password)
    apply_transition(session, BATCH_RECORD, record, "release", by=by, signature=signature,
                     values={"released_by_id": by.id})
    return record


def reject_record(session, record, *, by, password, reason):
    """QA rejects the record by e-signature ("Rejected"), with a reason; its lot stays unusable."""
    require_state(record, "awaiting_qa")
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), "reason")
    signature = sign(session, record, meaning="rejected", signer=by, password=password,
                     comment=reason)
    apply_transition(session, BATCH_RECORD, record, "reject", by=by, signature=signature,
                     reason=reason)
    return record


def reopen_record(session, record, *, by, reason):
    """QA sends the record back to production, with a reason."""
    require_state(record, "awaiting_qa")
    apply_transition(session, BATCH_RECORD, record, "reopen", by=by, reason=reason)
    return record
