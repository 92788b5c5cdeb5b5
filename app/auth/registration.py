"""Accounts: log-in, passwords, invitations, and the demo accounts."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.auth import bp
from app.core.domains import Domain
from app.core.permissions import ROLE_LABELS


def seed_demo(session, context, report):
    """Create one demo account per role (after the trials, whose sites they are given)."""
    from app.auth.demo import seed_users

    context["users"] = seed_users(session, context["trials"], report)


DOMAIN = Domain(
    name="auth",
    blueprints=((bp, "/auth"),),
    audit_actions={
        "login": _l("Logged in"),
        "logout": _l("Logged out"),
        "login_failed": _l("Failed log-in"),
        "login_refused_locked": _l("Log-in refused: account locked"),
        "password_change_failed": _l("Password change: wrong current password"),
        "password_change_refused_locked": _l("Password change refused: account locked"),
        "account_locked": _l("Account locked"),
        "password_set": _l("Password set"),
        "invitation_sent": _l("Invitation sent"),
    },
    audit_fields={
        "user_id": _l("User"),
        **per_type(
            "user", language=_l("Language"), active=_l("Account active"),
            password_hash=_l("Password"), password_changed_at=_l("Password changed (UTC)"),
            session_token=_l("Session key"), failed_logins=_l("Failed log-ins in a row"),
            locked_until=_l("Locked until (UTC)"),
            failed_signatures=_l("Failed signatures in a row"),
            signing_locked_until=_l("Signing locked until (UTC)"),
            last_login_at=_l("Last log-in"), role_links=_l("Roles"), sites=_l("Sites"),
            sponsor_links=_l("Only these sponsors' trials")),
    },
    audit_values={
        ("user", "language"): {"es": _l("Spanish"), "en": _l("English")},
        ("user", "role_links"): ROLE_LABELS,
    },
    record_types={"user": _l("User")},
    demo=seed_demo,
)
