"""The randomisation list and batch record state machines (data only; core applies them)."""

from flask_babel import lazy_gettext as _l

from app.blinding.models import BATCH_STATUSES, LIST_STATUSES, BatchRecord, RandomisationList
from app.core.states import StateMachine, Transition

# A list is unusable until a second unblinded user verifies it by e-signature.
RANDOMISATION_LIST = StateMachine(
    name="randomisation_list",
    model=RandomisationList,
    states=LIST_STATUSES,
    record_name=_l("Randomisation list"),
    label_of=lambda rlist: rlist.name,
    transitions=[
        Transition("draft", "verify", "verified", permission="blinding.lists",
                   signature="verified"),
        Transition("draft", "retire", "retired", permission="blinding.lists", reason=True),
        Transition("verified", "retire", "retired", permission="blinding.lists", reason=True),
    ],
    stamps={"verified": "verified_at"},
    audit_action=lambda event: {"verify": "randomisation_list_verified",
                                "retire": "randomisation_list_retired"}[event],
)

# A batch record is written in production, then QA releases (e-signature) or rejects it; a
# released or rejected record never changes. QA may send it back to production with a reason.
BATCH_RECORD = StateMachine(
    name="batch_record",
    model=BatchRecord,
    states=BATCH_STATUSES,
    record_name=_l("Batch record"),
    label_of=lambda record: record.number,
    transitions=[
        Transition("draft", "start", "in_production", permission="blinding.batch"),
        Transition("in_production", "submit", "awaiting_qa", permission="blinding.batch"),
        Transition("awaiting_qa", "reopen", "in_production",
                   permission="blinding.batch_release", reason=True),
        Transition("awaiting_qa", "release", "released", permission="blinding.batch_release",
                   signature="released"),
        Transition("awaiting_qa", "reject", "rejected", permission="blinding.batch_release",
                   reason=True, signature="rejected"),
    ],
    stamps={"in_production": "started_at", "awaiting_qa": "submitted_at",
            "released": "released_at", "rejected": "rejected_at"},
    audit_action=lambda event: f"batch_record_{event}",
)
