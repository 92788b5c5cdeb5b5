"""Roles, named permissions and the decorators every view carries (deny by default)."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ROLES = ("admin", "logistics", "site", "unblinded", "qp", "finance", "monitor", "patient",
         "manufacturer")

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "logistics": _l("Logistics coordinator"),
    "site": _l("Site staff"),
    "unblinded": _l("Unblinded pharmacist"),
    "qp": _l("Qualified Person / QA"),
    "finance": _l("Finance"),
    "monitor": _l("Sponsor monitor"),
    "patient": _l("Patient"),
    "manufacturer": _l("Manufacturing lab (identifiers only)"),
}

# Roles that only see the sites assigned to the user.
SITE_SCOPED_ROLES = frozenset({"site"})

# Which role may do what: filled by each domain's registration (app/<domain>/registration.py).
# A permission absent here is granted to nobody.
ROLE_PERMISSIONS = {role: set() for role in ROLES}


def permissions_for(roles):
    """Return the union of permissions granted by the given role names."""
    granted = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, set())
    return granted


def require(permission):
    """Let the view run only for a logged-in user holding the permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def route_permission():
    """Return the permission the current request's view requires (None outside a request)."""
    from flask import current_app, request

    if not request or request.endpoint is None:
        return None
    return getattr(current_app.view_functions.get(request.endpoint), "permission", None)


def login_only(view):
    """Let any logged-in user in; the view itself scopes what they see."""
    view = require(None)(view)
    view.permission = "login"
    return view


def public(view):
    """Mark a view as reachable without logging in."""
    view.public = True
    return view
