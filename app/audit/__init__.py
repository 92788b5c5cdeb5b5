"""The audit trail: log screen, record history, export, chain verification."""

import json

from flask import Blueprint

bp = Blueprint("audit", __name__)



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
    from app.core.domains import REGISTRY

    return REGISTRY.audit_actions.get(action, action)


from app.audit import views  # noqa: E402, F401
