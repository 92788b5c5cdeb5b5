"""Portal accounts for subjects: invite the patient and, optionally, a caregiver."""

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.auth.services import AuthError, create_user, invitation_token
from app.core.errors import DomainError
from app.notify.services import queue_email
from app.reimbursement.models import RELATIONS, PatientLink


def invite_claimant(session, subject, *, email, full_name, language, relation, by):
    """Create a patient account linked to the subject and queue its invitation e-mail."""
    if relation not in RELATIONS:
        raise DomainError(_("Choose patient or caregiver."), field="relation")
    if not by.can("reimbursement.invite") or subject.site_id not in by.site_ids:
        raise DomainError(_("Only staff of the subject's site can invite."))
    links = session.scalars(select(PatientLink).where(PatientLink.subject_id == subject.id)).all()
    if relation == "patient" and any(link.relation == "patient" for link in links):
        raise DomainError(_("This subject already has a patient account."),
                          field="relation")
    if relation == "caregiver" and sum(link.relation == "caregiver" for link in links) >= 2:
        raise DomainError(_("This subject already has two caregivers."),
                          field="relation")
    try:
        user = create_user(session, email=email, full_name=full_name, language=language,
                           roles=["patient"])
    except AuthError as error:
        raise DomainError(str(error), field="email") from None
    link = PatientLink(user_id=user.id, user=user, subject_id=subject.id, subject=subject,
                       relation=relation, invited_by_id=by.id)
    session.add(link)
    session.flush()
    send_portal_invitation(session, user)
    return link


def send_portal_invitation(session, user):
    """Queue the invitation link in the invitee's language."""
    link = url_for("auth.accept_invitation", token=invitation_token(user), _external=True)
    with force_locale(user.language):
        subject = _("Your access to the expense reimbursement portal")
        body = _("Hello %(name)s,\n\nYour trial site has opened an account for you to claim "
                 "back your travel and stay expenses. Open this link to choose your "
                 "password (valid for 7 days):\n\n%(link)s\n", name=user.full_name, link=link)
    queue_email(session, user.email, subject, body)
    record_event(session, "invitation_sent", "user", user.id, label=user.audit_label())
