"""Trials, visit schedules, sites and subjects."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core.domains import Domain, MenuEntry
from app.trials import bp
from app.trials.models import SITE_STATUSES, SUBJECT_STATUSES, TRIAL_KINDS, TRIAL_STATUSES
from app.trials.states import AUDIT_ACTIONS

VIEW = {"trials.view", "sites.view", "subjects.view"}


def template_labels():
    """Give every template the translated labels of trial, site and subject states."""
    return {"trial_kinds": TRIAL_KINDS, "trial_statuses": TRIAL_STATUSES,
            "site_statuses": SITE_STATUSES, "subject_statuses": SUBJECT_STATUSES}


def seed_demo(session, context, report):
    """Create the demo trials, their schedules, sites and subjects."""
    from app.trials.demo import seed_trials

    context["trials"] = seed_trials(session, report)


# How the audit trail names the records, fields and values of this domain.
AUDIT_FIELDS = {
    "trial_id": _l("Trial"),
    "site_id": _l("Site"),
    "subject_id": _l("Subject"),
    "visit_id": _l("Visit"),
    **per_type(
        "trial", protocol_code=_l("Protocol code"), eu_ct_number=_l("EU CT number"),
        title=_l("Title"), sponsor=_l("Sponsor"), phase=_l("Phase"), kind=_l("Type of trial"),
        blinded=_l("Blinded (masked) trial"), countries=_l("Countries"),
        contact_name=_l("Main contact: name"), contact_address=_l("Main contact: address"),
        contact_phone=_l("Main contact: telephone")),
    **per_type(
        "trial_visit", number=_l("Visit number"), name=_l("Visit name"),
        day_offset=_l("Day (from enrolment)"), window_before=_l("Window before (days)"),
        window_after=_l("Window after (days)")),
    **per_type(
        "site", site_number=_l("Site number"), hospital=_l("Hospital"),
        principal_investigator=_l("Principal investigator")),
    **per_type("subject", code=_l("Subject code"), enrolment_date=_l("Enrolment date")),
    **per_type(
        "subject_identity", postal_code=_l("Postal code"), city=_l("City"),
        national_id=_l("DNI / NIE"), date_of_birth=_l("Date of birth"), erased=_l("Erased")),
}
AUDIT_VALUES = {
    ("trial", "kind"): TRIAL_KINDS,
    ("trial", "status"): TRIAL_STATUSES,
    ("site", "status"): SITE_STATUSES,
    ("subject", "status"): SUBJECT_STATUSES,
}
RECORD_TYPES = {
    "trial": _l("Trial"),
    "trial_visit": _l("Visit"),
    "site": _l("Site"),
    "subject": _l("Subject"),
    "subject_identity": _l("Identity of a subject"),
}

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
    # Held through the site role these reach only the account's own sites.
    site_scoped=frozenset(VIEW | {"subjects.edit", "subjects.identity"}),
    menu=(
        MenuEntry(_l("Trials"), "trials.list_trials", "trials.view", order=10),
        MenuEntry(_l("Sites"), "trials.list_sites", "sites.view", order=20),
        MenuEntry(_l("Subjects"), "trials.list_subjects", "subjects.view", order=30),
    ),
    audit_actions={"identity_viewed": _l("Identity viewed"), **AUDIT_ACTIONS},
    state_machines=("app.trials.states",),
    demo=seed_demo,
    template_labels=template_labels,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
