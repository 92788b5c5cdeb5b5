"""The main navigation: label, endpoint and the permission that shows it."""

from flask_babel import lazy_gettext as _l

NAV = [
    (_l("Trials"), "trials.list_trials", "trials.view"),
    (_l("Sites"), "trials.list_sites", "sites.view"),
    (_l("Subjects"), "trials.list_subjects", "subjects.view"),
    (_l("Depot stock"), "stock.depot_stock", "stock.view"),
    (_l("Site stock"), "stock.site_stock", "stock.sites"),
    (_l("Shipments"), "shipments.board", "shipments.view"),
    (_l("Audit trail"), "audit.log", "audit.view"),
    (_l("Users"), "admin.list_users", "users.manage"),
]

# Patient expense reimbursement (issue 5).
NAV += [
    (_l("My expenses"), "my.claims", "reimbursement.portal"),
    (_l("Expense claims"), "reimbursement.list_claims", "reimbursement.totals"),
    (_l("Payment batches"), "reimbursement.list_batches", "reimbursement.pay"),
]


def nav_for(user):
    """Return the navigation entries the user may see."""
    if not user.is_authenticated:
        return []
    return [(label, endpoint) for label, endpoint, perm in NAV if user.can(perm)]
