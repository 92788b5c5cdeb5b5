"""Blinding: kit arms, randomisation lists, randomising subjects, emergency code break."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.blinding import bp
from app.blinding.models import (
    BATCH_CHECK_KINDS,
    BATCH_KINDS,
    BATCH_STATUSES,
    CODE_BREAK_LABELS,
    DEVIATION_STATUSES,
    DEVIATION_TOPICS,
    LIST_PURPOSES,
    LIST_SOURCES,
    LIST_STATUSES,
)
from app.core.domains import Domain, MenuEntry, WorkQueue


def template_labels():
    """Give templates the translated labels of list purposes, sources and states."""
    return {"list_purposes": LIST_PURPOSES, "list_sources": LIST_SOURCES,
            "list_statuses": LIST_STATUSES, "code_break_labels": CODE_BREAK_LABELS,
            "batch_record_kinds": BATCH_KINDS, "batch_record_statuses": BATCH_STATUSES,
            "batch_check_kinds": BATCH_CHECK_KINDS,
            "batch_deviation_statuses": DEVIATION_STATUSES,
            "batch_deviation_topics": DEVIATION_TOPICS}


def seed_demo(session, context, report):
    """Arms for the blinded demo kits, a verified list and randomised subjects."""
    from app.blinding.demo import seed_blinding

    seed_blinding(session, context["trials"], context["users"], report)


BATCH_AUDIT_ACTIONS = {
    "batch_record_start": _l("Batch record: production started"),
    "batch_record_submit": _l("Batch record handed to QA"),
    "batch_record_reopen": _l("Batch record sent back to production"),
    "batch_record_release": _l("Batch record released by QA"),
    "batch_record_reject": _l("Batch record rejected by QA"),
}
BATCH_AUDIT_FIELDS = {
    **per_type(
        "batch_record", number=_l("Batch record number"), trial_id=_l("Trial"),
        sponsor_order=_l("Sponsor's order"), kind=_l("What is made"),
        description=_l("Description"), matched_lot_id=_l("Lot it matches"),
        output_lot_id=_l("Lot produced"), quantity_unit=_l("Unit"),
        expected_quantity=_l("Expected quantity"), actual_quantity=_l("Quantity produced"),
        yield_min_pct=_l("Lowest yield (%)"), yield_max_pct=_l("Highest yield (%)"),
        created_by_id=_l("Opened by"), released_by_id=_l("Released by"),
        started_at=_l("Production started (UTC)"), submitted_at=_l("Handed to QA (UTC)"),
        released_at=_l("Released (UTC)"), rejected_at=_l("Rejected (UTC)")),
    **per_type(
        "batch_material", record_id=_l("Batch record"), material=_l("Material"),
        supplier_lot=_l("Supplier lot"), unit=_l("Unit"), issued=_l("Issued"),
        used=_l("Used"), returned=_l("Returned"), wasted=_l("Wasted"),
        deviation_id=_l("Deviation")),
    **per_type(
        "batch_step", record_id=_l("Batch record"), position=_l("Step"),
        instruction=_l("Instruction"), operator_id=_l("Operator"), done_at=_l("Done (UTC)"),
        operator_note=_l("Operator's note"), checker_id=_l("Checked by"),
        checked_at=_l("Checked (UTC)")),
    **per_type(
        "batch_check", record_id=_l("Batch record"), kind=_l("Kind of check"),
        name=_l("Check"), unit=_l("Unit"), lower=_l("Lower limit"), upper=_l("Upper limit"),
        result=_l("Result"), appearance_match=_l("Appearance matches"),
        comment=_l("Comment"), within_limits=_l("Within limits"),
        checked_by_id=_l("Checked by"), checked_at=_l("Checked (UTC)"),
        deviation_id=_l("Deviation")),
    **per_type(
        "batch_deviation", record_id=_l("Batch record"), number=_l("Deviation number"),
        topic=_l("About"), description=_l("Description"), impact=_l("Impact"),
        capa=_l("CAPA"), raised_by_id=_l("Raised by"), raised_at=_l("Raised (UTC)"),
        closed_by_id=_l("Closed by"), closed_at=_l("Closed (UTC)")),
}
BATCH_AUDIT_VALUES = {
    ("batch_record", "status"): BATCH_STATUSES,
    ("batch_record", "kind"): BATCH_KINDS,
    ("batch_check", "kind"): BATCH_CHECK_KINDS,
    ("batch_deviation", "status"): DEVIATION_STATUSES,
    ("batch_deviation", "topic"): DEVIATION_TOPICS,
}
BATCH_RECORD_TYPES = {
    "batch_record": _l("Batch record"),
    "batch_material": _l("Material of a batch record"),
    "batch_step": _l("Step of a batch record"),
    "batch_check": _l("In-process check"),
    "batch_deviation": _l("Deviation of a batch record"),
}


def batches_to_release(session, user):
    """Batch records waiting for QA release."""
    from sqlalchemy import func, select

    from app.blinding.models import BatchRecord

    return session.scalar(select(func.count()).where(BatchRecord.status == "awaiting_qa"))


def _batches_url(user):
    from flask import url_for

    return url_for("blinding.list_batches", status="awaiting_qa")


BATCH_WORK_QUEUE = WorkQueue("batch_records_to_release", _l("Batch records to release"),
                             "blinding.batch_release", count=batches_to_release,
                             url=_batches_url, urgency=75)


AUDIT_ACTIONS = {
    "randomisation_list_verified": _l("Randomisation list verified"),
    "randomisation_list_retired": _l("Randomisation list retired"),
    "code_broken": _l("Code broken (emergency unblinding)"),
    **BATCH_AUDIT_ACTIONS,
}
AUDIT_FIELDS = {
    **per_type(
        "randomisation_list", trial_id=_l("Trial"), name=_l("Name"), purpose=_l("Used for"),
        source=_l("Source"), algorithm=_l("Algorithm"),
        algorithm_version=_l("Algorithm version"), seed_sha256=_l("Fingerprint of the seed"),
        seed=_l("Seed"), parameters=_l("Parameters"), list_sha256=_l("Fingerprint of the list"),
        size=_l("Size"), created_by_id=_l("Made by"), verified_by_id=_l("Verified by"),
        verified_at=_l("Verified (UTC)")),
    **per_type(
        "randomisation", subject_id=_l("Subject"), slot_id=_l("Randomisation slot"),
        number=_l("Randomisation number"), strata=_l("Strata"),
        randomised_at=_l("Randomised (UTC)"), randomised_by_id=_l("Randomised by")),
    **per_type(
        "strata_correction", randomisation_id=_l("Randomisation of a subject"),
        old_strata=_l("Strata before"), new_strata=_l("Strata after"), reason=_l("Reason"),
        corrected_by_id=_l("Corrected by"), corrected_at=_l("Corrected (UTC)")),
    **per_type(
        "code_break", subject_id=_l("Subject"), reason=_l("Reason"),
        adverse_event=_l("For an adverse event"), broken_by_id=_l("Broken by"),
        broken_at=_l("Broken (UTC)")),
    **BATCH_AUDIT_FIELDS,
}
def strata_text(value):
    """Show strata as "factor: level; factor: level" in the audit trail."""
    if isinstance(value, str) and value.startswith("{"):
        import ast  # the trail keeps a dict as its repr

        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    if isinstance(value, dict):
        return "; ".join(f"{factor}: {level}" for factor, level in value.items()) or "—"
    return "" if value is None else str(value)


AUDIT_VALUES = {
    ("randomisation", "strata"): strata_text,
    ("strata_correction", "old_strata"): strata_text,
    ("strata_correction", "new_strata"): strata_text,
    ("randomisation_list", "status"): LIST_STATUSES,
    ("randomisation_list", "purpose"): LIST_PURPOSES,
    ("randomisation_list", "source"): LIST_SOURCES,
    **BATCH_AUDIT_VALUES,
}
RECORD_TYPES = {
    "randomisation_list": _l("Randomisation list"),
    "randomisation": _l("Randomisation of a subject"),
    "code_break": _l("Code break"),
    "strata_correction": _l("Correction of a subject's strata"),
    **BATCH_RECORD_TYPES,
}


def lists_to_verify(session, user):
    """Lists waiting for a second unblinded user's verification."""
    from sqlalchemy import func, select

    from app.blinding.queries import lists_waiting_for

    return session.scalar(select(func.count()).select_from(lists_waiting_for(user).subquery()))


def _lists_url(user):
    from flask import url_for

    return url_for("blinding.list_lists", waiting="verify")


WORK_QUEUES = (
    WorkQueue("lists_to_verify", _l("Randomisation lists to verify"), "blinding.lists",
              count=lists_to_verify, url=_lists_url, urgency=70),
    BATCH_WORK_QUEUE,
)

# blinding.view: lists exist, subjects' numbers and dates; blinding.lists / blinding.arms:
# unblinded only (seeds, lists, kit arms, reports); blinding.randomise / blinding.break: the
# investigator's site; blinding.breaks: the code-break log (never the arm); blinding.strata:
# QA corrects a randomised subject's strata (reason and e-signature). blinding.batches: read
# masking/placebo batch records; blinding.batch: write them in production (operator, second
# person); blinding.batch_release: QA closes deviations and releases or rejects by e-signature.
DOMAIN = Domain(
    name="blinding",
    blueprints=((bp, "/blinding"),),
    permissions={
        "admin": {"blinding.view", "blinding.breaks", "blinding.batches"},
        "logistics": {"blinding.view", "blinding.batches", "blinding.batch"},
        "site": {"blinding.view", "blinding.randomise", "blinding.break", "blinding.breaks"},
        "unblinded": {"blinding.view", "blinding.lists", "blinding.arms", "blinding.breaks"},
        "qp": {"blinding.view", "blinding.breaks", "blinding.strata", "blinding.batches",
               "blinding.batch", "blinding.batch_release"},
        "monitor": {"blinding.view", "blinding.breaks"},
    },
    site_scoped=frozenset({"blinding.view", "blinding.randomise", "blinding.break",
                           "blinding.breaks"}),
    menu=(
        MenuEntry(_l("Randomisation"), "blinding.list_subjects", "blinding.view", order=55),
        MenuEntry(_l("Batch records"), "blinding.list_batches", "blinding.batches", order=56),
    ),
    state_machines=("app.blinding.states",),
    kit_rules=("app.blinding.kit_rules",),
    demo=seed_demo,
    work_queues=WORK_QUEUES,
    template_labels=template_labels,
    audit_actions=AUDIT_ACTIONS,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
