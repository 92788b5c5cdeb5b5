"""Create and change trials and their visit schedules; move a trial's status."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import set_reason
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.unique import refuse_taken
from app.esign.services import sign
from app.trials.models import Trial, TrialVisit
from app.trials.services import assign
from app.trials.states import TRIAL_MACHINE

TRIAL_FIELDS = ("protocol_code", "eu_ct_number", "title", "sponsor", "phase", "kind",
                "blinded", "contact_name", "contact_address", "contact_phone")
VISIT_FIELDS = ("number", "name", "day_offset", "window_before", "window_after")


def _check_protocol_code(session, code, trial_id=None):
    refuse_taken(session, Trial.protocol_code, code,
                 _("Another trial already uses this protocol code."), "protocol_code",
                 record_id=trial_id)


def create_trial(session, data):
    """Create a trial from form data; it starts in set-up."""
    _check_protocol_code(session, data["protocol_code"])
    trial = Trial(countries=",".join(sorted(data["countries"])), status="setup")
    assign(trial, data, TRIAL_FIELDS)
    session.add(trial)
    session.flush()
    return trial


def update_trial(session, trial, data, reason):
    """Change a trial's details (not its status); the reason goes to the audit trail."""
    _check_protocol_code(session, data["protocol_code"], trial.id)
    set_reason(session, reason)
    assign(trial, data, TRIAL_FIELDS)
    trial.countries = ",".join(sorted(data["countries"]))
    session.flush()


def change_trial_status(session, trial, event, *, by, reason):
    """Move the trial through its state machine (activate, hold, resume, close)."""
    return apply_transition(session, TRIAL_MACHINE, trial, event, by=by, reason=reason)


def sign_trial_approval(session, trial, *, signer, password, comment=None):
    """Sign the trial set-up (identity, contact, schedule) as approved."""
    return sign(session, trial, meaning="approved", signer=signer, password=password,
                comment=comment)


def save_visit(session, trial, data, reason, visit=None):
    """Add a visit to the schedule or change one; numbers are unique per trial."""
    clash = session.scalar(select(TrialVisit.id).where(
        TrialVisit.trial_id == trial.id, TrialVisit.number == data["number"],
        TrialVisit.id != (visit.id if visit else 0)))
    if clash:
        raise DomainError(_("This visit number is already in the schedule."), "number")
    set_reason(session, reason)
    if visit is None:
        visit = TrialVisit(trial=trial)
        session.add(visit)
    assign(visit, data, VISIT_FIELDS)
    session.flush()
    return visit


def retire_visit(session, visit, reason):
    """Take a visit out of the schedule; it stays in the record."""
    set_reason(session, reason)
    visit.active = False
    session.flush()
