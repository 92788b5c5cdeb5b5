"""The audit trail: log screen, record history, export, chain verification."""

import json

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("audit", __name__)

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Removed"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "login_failed": _l("Failed log-in"),
    "login_refused_locked": _l("Log-in refused: account locked"),
    "account_locked": _l("Account locked"),
    "password_set": _l("Password set"),
    "invitation_sent": _l("Invitation sent"),
    "signature_failed": _l("Failed signature"),
    "signature_refused_locked": _l("Signature refused: signing locked"),
    "signing_locked": _l("Signing locked"),
    "identity_viewed": _l("Identity viewed"),
}


@bp.app_template_filter("fromjson")
def fromjson(value):
    """Parse a JSON text (audit changes) for display."""
    try:
        return json.loads(value or "{}")
    except ValueError:
        return {}


@bp.app_template_global()
def audit_action_label(action):
    """Return the translated label of an audit action."""
    return ACTION_LABELS.get(action, action)


from app.audit import views  # noqa: E402, F401
