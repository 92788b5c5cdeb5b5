"""Trials, visit schedules, sites and subjects."""

from flask_babel import lazy_gettext as _l

from app.core.domains import Domain, MenuEntry
from app.trials import bp
from app.trials.states import AUDIT_ACTIONS

VIEW = {"trials.view", "sites.view", "subjects.view"}


def template_labels():
    """Give every template the translated labels of trial, site and subject states."""
    from app.trials.models import SITE_STATUSES, SUBJECT_STATUSES, TRIAL_KINDS, TRIAL_STATUSES

    return {"trial_kinds": TRIAL_KINDS, "trial_statuses": TRIAL_STATUSES,
            "site_statuses": SITE_STATUSES, "subject_statuses": SUBJECT_STATUSES}


def seed_demo(session, context, report):
    """Create the demo trials, their schedules, sites and subjects."""
    from app.trials.demo import seed_trials

    context["trials"] = seed_trials(session, report)


DOMAIN = Domain(
    name="trials",
    blueprints=((bp, "/trials"),),
    permissions={
        "admin": VIEW | {"trials.edit", "sites.edit"},
        "logistics": VIEW,
        "site": VIEW | {"subjects.edit", "subjects.identity"},
        "unblinded": VIEW,
        "qp": VIEW | {"trials.approve"},
        "finance": VIEW | {"subjects.identity"},
        "monitor": VIEW,
    },
    menu=(
        MenuEntry(_l("Trials"), "trials.list_trials", "trials.view", order=10),
        MenuEntry(_l("Sites"), "trials.list_sites", "sites.view", order=20),
        MenuEntry(_l("Subjects"), "trials.list_subjects", "subjects.view", order=30),
    ),
    audit_actions={"identity_viewed": _l("Identity viewed"), **AUDIT_ACTIONS},
    state_machines=("app.trials.states",),
    demo=seed_demo,
    template_labels=template_labels,
)
