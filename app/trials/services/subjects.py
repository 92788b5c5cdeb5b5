"""Register and change subjects, move their status, keep their identity apart."""

from flask_babel import gettext as _

from app.audit.services import record_event, set_reason
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.unique import refuse_taken
from app.trials.models import Subject, SubjectIdentity
from app.trials.services import assign
from app.trials.states import SUBJECT_MACHINE

IDENTITY_FIELDS = ("full_name", "email", "phone", "address", "postal_code", "city",
                   "national_id", "date_of_birth")


def _check_subject_code(session, trial_id, code, subject_id=None):
    refuse_taken(session, Subject.code, code, _("This subject code is already used in this trial."),
                 "code", record_id=subject_id, among=(Subject.trial_id == trial_id,))


def _check_site_open(site):
    if site.status != "active":
        raise DomainError(_("This site is closed; subjects cannot be added to it."), "site_id")


def create_subject(session, site, data):
    """Register a subject at a site under a code unique in the trial (screening or enrolled)."""
    _check_site_open(site)
    _check_subject_code(session, site.trial_id, data["code"])
    if SUBJECT_MACHINE.find(None, "register", data["status"]) is None:
        raise DomainError(_("A subject is registered as screening or enrolled."), "status")
    subject = Subject(trial_id=site.trial_id, site=site, code=data["code"],
                      status=data["status"], enrolment_date=data.get("enrolment_date"))
    session.add(subject)
    session.flush()
    return subject


def update_subject(session, subject, site, data, reason):
    """Change a subject's code, site or enrolment date (not its status)."""
    if site.trial_id != subject.trial_id:
        raise DomainError(_("A subject can only move to a site of the same trial."), "site_id")
    if site.id != subject.site_id:
        _check_site_open(site)
    _check_subject_code(session, subject.trial_id, data["code"], subject.id)
    set_reason(session, reason)
    subject.site = site
    assign(subject, data, ("code", "enrolment_date"))
    session.flush()


def change_subject_status(session, subject, event, *, by, reason):
    """Move a subject through its state machine (enrol, screen failure, withdraw, complete)."""
    return apply_transition(session, SUBJECT_MACHINE, subject, event, by=by, reason=reason)


def save_identity(session, subject, data, reason):
    """Create or change who the subject is."""
    set_reason(session, reason)
    identity = subject.identity or SubjectIdentity(subject=subject)
    session.add(identity)
    assign(identity, data, IDENTITY_FIELDS)
    session.flush()
    return identity


def note_identity_viewed(session, subject):
    """Record that someone looked at a subject's identity."""
    record_event(session, "identity_viewed", "subject", subject.id, label=subject.code)
