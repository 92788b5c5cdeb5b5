"""Invite people and change their accounts (never commit)."""

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.audit.services import record_event, set_reason
from app.auth.duties import check_role_combination
from app.auth.services import create_user, invitation_token, update_user
from app.core.errors import DomainError
from app.notify.services import queue_email


def send_invitation(session, user):
    """Queue the invitation e-mail in the user's language."""
    if not user.active:
        raise DomainError(_("The account is inactive; activate it first."))
    link = url_for("auth.accept_invitation", token=invitation_token(user), _external=True)
    with force_locale(user.language):
        subject = _("Your access to the clinical trial logistics portal")
        body = _("Hello %(name)s,\n\nAn account has been created for you. Open this link "
                 "to choose your password (valid for 7 days):\n\n%(link)s\n",
                 name=user.full_name, link=link)
    queue_email(session, user.email, subject, body)
    record_event(session, "invitation_sent", "user", user.id, label=user.audit_label())
    return user


def check_sponsor_limit(roles, sponsors):
    """Refuse a sponsor limit on an administrator, who manages every sponsor's accounts."""
    if sponsors and "admin" in set(roles or ()):
        raise DomainError(_("An administrator manages the accounts of every sponsor and cannot "
                            "be limited to some sponsors' trials."), "sponsors")


def invite_user(session, *, email, full_name, language, roles, sites=(), sponsors=()):
    """Create an account without a password and e-mail its invitation link."""
    check_role_combination(roles, sites)
    check_sponsor_limit(roles, sponsors)
    user = create_user(session, email=email, full_name=full_name, language=language,
                       roles=roles, sites=sites, sponsors=sponsors)
    return send_invitation(session, user)


def change_account(session, user, *, reason, **values):
    """Change an account's name, language, roles, sites, sponsors or active flag, with a
    reason."""
    set_reason(session, reason)
    if "roles" in values or "sites" in values:
        check_role_combination(values.get("roles", user.roles), values.get("sites", user.sites))
    check_sponsor_limit(values.get("roles", user.roles), values.get("sponsors", user.sponsors))
    update_user(session, user, **values)
    return user
