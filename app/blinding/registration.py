"""Blinding: kit arms, randomisation lists, randomising subjects, emergency code break."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.blinding import bp
from app.blinding.models import CODE_BREAK_LABELS, LIST_PURPOSES, LIST_SOURCES, LIST_STATUSES
from app.core.domains import Domain, MenuEntry, WorkQueue


def template_labels():
    """Give templates the translated labels of list purposes, sources and states."""
    return {"list_purposes": LIST_PURPOSES, "list_sources": LIST_SOURCES,
            "list_statuses": LIST_STATUSES, "code_break_labels": CODE_BREAK_LABELS}


def seed_demo(session, context, report):
    """Arms for the blinded demo kits, a verified list and randomised subjects."""
    from app.blinding.demo import seed_blinding

    seed_blinding(session, context["trials"], context["users"], report)


AUDIT_ACTIONS = {
    "randomisation_list_verified": _l("Randomisation list verified"),
    "randomisation_list_retired": _l("Randomisation list retired"),
    "code_broken": _l("Code broken (emergency unblinding)"),
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
}
RECORD_TYPES = {
    "randomisation_list": _l("Randomisation list"),
    "randomisation": _l("Randomisation of a subject"),
    "code_break": _l("Code break"),
    "strata_correction": _l("Correction of a subject's strata"),
}


def lists_to_verify(session, user):
    """Lists waiting for a second unblinded user's verification."""
    from sqlalchemy import func, select

    from app.blinding.models import RandomisationList

    return session.scalar(select(func.count()).where(
        RandomisationList.status == "draft", RandomisationList.created_by_id != user.id))


def _lists_url(user):
    from flask import url_for

    return url_for("blinding.list_lists")


WORK_QUEUES = (
    WorkQueue("lists_to_verify", _l("Randomisation lists to verify"), "blinding.lists",
              count=lists_to_verify, url=_lists_url, urgency=70),
)

# blinding.view: lists exist, subjects' numbers and dates; blinding.lists / blinding.arms:
# unblinded only (seeds, lists, kit arms, reports); blinding.randomise / blinding.break: the
# investigator's site; blinding.breaks: the code-break log (never the arm); blinding.strata:
# QA corrects a randomised subject's strata (reason and e-signature).
DOMAIN = Domain(
    name="blinding",
    blueprints=((bp, "/blinding"),),
    permissions={
        "admin": {"blinding.view", "blinding.breaks"},
        "logistics": {"blinding.view"},
        "site": {"blinding.view", "blinding.randomise", "blinding.break", "blinding.breaks"},
        "unblinded": {"blinding.view", "blinding.lists", "blinding.arms", "blinding.breaks"},
        "qp": {"blinding.view", "blinding.breaks", "blinding.strata"},
        "monitor": {"blinding.view", "blinding.breaks"},
    },
    site_scoped=frozenset({"blinding.view", "blinding.randomise", "blinding.break",
                           "blinding.breaks"}),
    menu=(
        MenuEntry(_l("Randomisation"), "blinding.list_subjects", "blinding.view", order=55),
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
