"""The randomisation list state machine (data only; app.core.states applies it)."""

from flask_babel import lazy_gettext as _l

from app.blinding.models import LIST_STATUSES, RandomisationList
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
