"""Create and change trials, visits, sites, subjects and identities (never commit)."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.services import record_event, set_reason
from app.trials.models import Site, Subject, SubjectIdentity, Trial, TrialVisit

TRIAL_FIELDS = ("protocol_code", "eu_ct_number", "title", "sponsor", "phase", "kind",
                "status", "blinded", "contact_name", "contact_address", "contact_phone")
SITE_FIELDS = ("site_number", "hospital", "address", "country", "principal_investigator",
               "phone", "status")
IDENTITY_FIELDS = ("full_name", "email", "phone", "address", "postal_code", "city",
                   "national_id", "date_of_birth")


class TrialError(Exception):
    """A refused change, with a message for the user and the field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _assign(record, data, fields):
    for name in fields:
        if name in data:
            value = data[name]
            setattr(record, name, value if value != "" else None)


def _check_protocol_code(session, code, trial_id=None):
    clash = session.scalar(select(Trial.id).where(
        func.lower(Trial.protocol_code) == code.lower(), Trial.id != (trial_id or 0)))
    if clash:
        raise TrialError(_("Another trial already uses this protocol code."), "protocol_code")


def create_trial(session, data):
    """Create a trial from form data."""
    _check_protocol_code(session, data["protocol_code"])
    trial = Trial(countries=",".join(sorted(data["countries"])))
    _assign(trial, data, TRIAL_FIELDS)
    session.add(trial)
    session.flush()
    return trial


def update_trial(session, trial, data, reason):
    """Change a trial; the reason goes to the audit trail."""
    _check_protocol_code(session, data["protocol_code"], trial.id)
    set_reason(session, reason)
    _assign(trial, data, TRIAL_FIELDS)
    trial.countries = ",".join(sorted(data["countries"]))
    session.flush()


def save_visit(session, trial, data, reason, visit=None):
    """Add a visit to the schedule or change one; numbers are unique per trial."""
    clash = session.scalar(select(TrialVisit.id).where(
        TrialVisit.trial_id == trial.id, TrialVisit.number == data["number"],
        TrialVisit.id != (visit.id if visit else 0)))
    if clash:
        raise TrialError(_("This visit number is already in the schedule."), "number")
    set_reason(session, reason)
    if visit is None:
        visit = TrialVisit(trial=trial)
        session.add(visit)
    _assign(visit, data, ("number", "name", "day_offset", "window_before", "window_after"))
    session.flush()
    return visit


def retire_visit(session, visit, reason):
    """Take a visit out of the schedule; it stays in the record."""
    set_reason(session, reason)
    visit.active = False
    session.flush()


def _check_site_number(session, trial_id, number, site_id=None):
    clash = session.scalar(select(Site.id).where(
        Site.trial_id == trial_id, func.lower(Site.site_number) == number.lower(),
        Site.id != (site_id or 0)))
    if clash:
        raise TrialError(_("This trial already has a site with this number."), "site_number")


def create_site(session, trial, data):
    """Add a site to a trial."""
    _check_site_number(session, trial.id, data["site_number"])
    site = Site(trial=trial)
    _assign(site, data, SITE_FIELDS)
    session.add(site)
    session.flush()
    return site


def update_site(session, site, data, reason):
    """Change a site; the reason goes to the audit trail."""
    _check_site_number(session, site.trial_id, data["site_number"], site.id)
    set_reason(session, reason)
    _assign(site, data, SITE_FIELDS)
    session.flush()


def _check_subject_code(session, trial_id, code, subject_id=None):
    clash = session.scalar(select(Subject.id).where(
        Subject.trial_id == trial_id, func.lower(Subject.code) == code.lower(),
        Subject.id != (subject_id or 0)))
    if clash:
        raise TrialError(_("This subject code is already used in this trial."), "code")


def _check_site_open(site):
    if site.status != "active":
        raise TrialError(_("This site is closed; subjects cannot be added to it."), "site_id")


def create_subject(session, site, data):
    """Register a subject at a site under a code unique in the trial."""
    _check_site_open(site)
    _check_subject_code(session, site.trial_id, data["code"])
    subject = Subject(trial_id=site.trial_id, site=site, code=data["code"],
                      status=data["status"], enrolment_date=data.get("enrolment_date"))
    session.add(subject)
    session.flush()
    return subject


def update_subject(session, subject, site, data, reason):
    """Change a subject's code, site, status or enrolment date."""
    if site.trial_id != subject.trial_id:
        raise TrialError(_("A subject can only move to a site of the same trial."), "site_id")
    if site.id != subject.site_id:
        _check_site_open(site)
    _check_subject_code(session, subject.trial_id, data["code"], subject.id)
    set_reason(session, reason)
    subject.site = site
    _assign(subject, data, ("code", "status", "enrolment_date"))
    session.flush()


def save_identity(session, subject, data, reason):
    """Create or change who the subject is."""
    set_reason(session, reason)
    identity = subject.identity or SubjectIdentity(subject=subject)
    session.add(identity)
    _assign(identity, data, IDENTITY_FIELDS)
    session.flush()
    return identity


def note_identity_viewed(session, subject):
    """Record that someone looked at a subject's identity."""
    record_event(session, "identity_viewed", "subject", subject.id, label=subject.code)
