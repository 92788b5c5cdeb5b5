"""Accounts: log-in, passwords, invitations, and the demo accounts."""

from flask_babel import lazy_gettext as _l

from app.auth import bp
from app.core.domains import Domain


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
        "account_locked": _l("Account locked"),
        "password_set": _l("Password set"),
        "invitation_sent": _l("Invitation sent"),
    },
    demo=seed_demo,
)
