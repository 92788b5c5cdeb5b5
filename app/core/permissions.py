"""Roles, named permissions and the decorators every view carries (deny by default)."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ROLES = ("admin", "logistics", "site", "unblinded", "qp", "finance", "monitor", "patient")

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "logistics": _l("Logistics coordinator"),
    "site": _l("Site staff"),
    "unblinded": _l("Unblinded pharmacist"),
    "qp": _l("Qualified Person / QA"),
    "finance": _l("Finance"),
    "monitor": _l("Sponsor monitor"),
    "patient": _l("Patient"),
}

# Roles that only see the sites assigned to the user.
SITE_SCOPED_ROLES = frozenset({"site"})

# Which role may do what. A permission absent here is granted to nobody.
ROLE_PERMISSIONS = {
    "admin": {
        "users.manage", "trials.view", "trials.edit", "sites.view", "sites.edit",
        "subjects.view", "audit.view", "esign.sign",
    },
    "logistics": {"trials.view", "sites.view", "subjects.view", "audit.view"},
    "site": {
        "trials.view", "sites.view", "subjects.view", "subjects.edit",
        "subjects.identity", "esign.sign",
    },
    "unblinded": {"trials.view", "sites.view", "subjects.view", "esign.sign"},
    "qp": {"trials.view", "sites.view", "subjects.view", "audit.view", "esign.sign",
           "trials.approve"},
    "finance": {"trials.view", "sites.view", "subjects.view", "subjects.identity",
                "esign.sign"},
    "monitor": {"trials.view", "sites.view", "subjects.view", "audit.view"},
    "patient": set(),
}

# Medication stock (issue 3). stock.view: depot stock, products, lots, kits, reports;
# stock.sites: site stock (site users: their own sites); kits.arms: the treatment arm of kits.
STOCK_PERMISSIONS = {
    "admin": {"stock.view", "stock.sites"},
    "logistics": {"stock.view", "stock.sites", "stock.manage", "kits.upload",
                  "accountability.view"},
    "site": {"stock.sites", "stock.dispense", "accountability.view", "accountability.sign"},
    "unblinded": {"stock.view", "stock.sites", "kits.arms", "kits.upload"},
    "qp": {"stock.view", "stock.sites"},
    "monitor": {"stock.sites", "accountability.view", "accountability.verify", "esign.sign"},
}
for _role, _granted in STOCK_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] |= _granted

# Patient expense reimbursement (issue 5).
ROLE_PERMISSIONS["admin"] |= {"reimbursement.totals", "reimbursement.view",
                              "reimbursement.policy"}
ROLE_PERMISSIONS["site"] |= {"reimbursement.totals", "reimbursement.view",
                             "reimbursement.validate", "reimbursement.invite",
                             "reimbursement.enter"}
ROLE_PERMISSIONS["finance"] |= {"reimbursement.totals", "reimbursement.view",
                                "reimbursement.approve", "reimbursement.pay",
                                "reimbursement.bank", "reimbursement.policy"}
ROLE_PERMISSIONS["monitor"] |= {"reimbursement.totals"}
ROLE_PERMISSIONS["patient"] |= {"reimbursement.portal"}


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


def login_only(view):
    """Let any logged-in user in; the view itself scopes what they see."""
    view = require(None)(view)
    view.permission = "login"
    return view


def public(view):
    """Mark a view as reachable without logging in."""
    view.public = True
    return view

# Shipments and the cold chain (issue 4). shipments.view: the board and shipment pages (site
# users: their own sites); shipments.manage: order, pick, pack, dispatch, resolve; shipments.
# receive: sign receipts at the destination; shipments.logger: upload logger files;
# shipments.decide: QA release or rejection after an excursion.
SHIPMENT_PERMISSIONS = {
    "admin": {"shipments.view"},
    "logistics": {"shipments.view", "shipments.manage", "shipments.receive", "shipments.logger"},
    "site": {"shipments.view", "shipments.receive", "shipments.logger"},
    "qp": {"shipments.view", "shipments.decide"},
    "monitor": {"shipments.view"},
}
for _role, _granted in SHIPMENT_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] |= _granted
