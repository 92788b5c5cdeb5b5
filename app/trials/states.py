"""The trial, site and subject state machines (data only)."""

from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.trials.models import (
    SITE_STATUSES,
    SUBJECT_STATUSES,
    TRIAL_STATUSES,
    Site,
    Subject,
    Trial,
)

# Trials, sites and subjects need a reason for every change after they are created
# (__audit_reason_required__), so every move below asks for one.
TRIAL_MACHINE = StateMachine(
    name="trial",
    model=Trial,
    states=TRIAL_STATUSES,
    transitions=[
        Transition(None, "create", "setup", permission="trials.edit"),
        Transition("setup", "activate", "active", permission="trials.edit", reason=True),
        Transition("setup", "close", "closed", permission="trials.edit", reason=True),
        Transition("active", "hold", "on_hold", permission="trials.edit", reason=True),
        Transition("on_hold", "resume", "active", permission="trials.edit", reason=True),
        Transition("active", "close", "closed", permission="trials.edit", reason=True),
        Transition("on_hold", "close", "closed", permission="trials.edit", reason=True),
    ],
    label_of=lambda trial: trial.audit_label(),
    audit_action={"activate": "trial_activated", "hold": "trial_put_on_hold",
                  "resume": "trial_resumed", "close": "trial_closed"}.get,
)

SITE_MACHINE = StateMachine(
    name="site",
    model=Site,
    states=SITE_STATUSES,
    transitions=[
        Transition(None, "create", "active", permission="sites.edit"),
        Transition("active", "close", "closed", permission="sites.edit", reason=True),
        Transition("closed", "reopen", "active", permission="sites.edit", reason=True),
    ],
    label_of=lambda site: site.audit_label(),
    audit_action={"close": "site_closed", "reopen": "site_reopened"}.get,
)

SUBJECT_MACHINE = StateMachine(
    name="subject",
    model=Subject,
    states=SUBJECT_STATUSES,
    transitions=[
        # A subject is registered while screening, or already enrolled.
        Transition(None, "register", "screening", permission="subjects.edit"),
        Transition(None, "register", "enrolled", permission="subjects.edit"),
        Transition("screening", "enrol", "enrolled", permission="subjects.edit", reason=True),
        Transition("screening", "screen_fail", "screen_failed", permission="subjects.edit",
                   reason=True),
        Transition("screening", "withdraw", "withdrawn", permission="subjects.edit",
                   reason=True),
        Transition("enrolled", "complete", "completed", permission="subjects.edit",
                   reason=True),
        Transition("enrolled", "withdraw", "withdrawn", permission="subjects.edit",
                   reason=True),
    ],
    label_of=lambda subject: subject.audit_label(),
    audit_action={"enrol": "subject_enrolled", "screen_fail": "subject_screen_failed",
                  "withdraw": "subject_withdrawn", "complete": "subject_completed"}.get,
)

# What the buttons that apply each event say.
EVENT_LABELS = {
    "activate": _l("Activate"),
    "hold": _l("Put on hold"),
    "resume": _l("Resume"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "enrol": _l("Enrol"),
    "screen_fail": _l("Screen failure"),
    "withdraw": _l("Withdraw"),
    "complete": _l("Complete"),
}

# The audit actions the transitions write, with their labels.
AUDIT_ACTIONS = {
    "trial_activated": _l("Trial activated"),
    "trial_put_on_hold": _l("Trial put on hold"),
    "trial_resumed": _l("Trial resumed"),
    "trial_closed": _l("Trial closed"),
    "site_closed": _l("Site closed"),
    "site_reopened": _l("Site reopened"),
    "subject_enrolled": _l("Subject enrolled"),
    "subject_screen_failed": _l("Subject failed screening"),
    "subject_withdrawn": _l("Subject withdrawn"),
    "subject_completed": _l("Subject completed the trial"),
}
