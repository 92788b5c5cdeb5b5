"""Segregation of duties: role combinations one account may not hold."""

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.core.permissions import SITE_SCOPED_ROLES


def _trial_allows_unblinded_pharmacist(site):
    return bool(getattr(site.trial, "allows_unblinded_pharmacist", False))


def check_role_combination(roles, sites=()):
    """Refuse roles that break the blind or the four-eyes rules, with the reason."""
    roles = set(roles or ())
    if "monitor" in roles and roles & {"site", "unblinded"}:
        raise DomainError(_("A monitor verifies the site's work and stays blinded: the monitor "
                            "role cannot be held with the site or unblinded role."), "roles")
    if "patient" in roles and len(roles) > 1:
        raise DomainError(_("A patient account holds no staff role."), "roles")
    if {"unblinded", "site"} <= roles and not (
            sites and all(_trial_allows_unblinded_pharmacist(site) for site in sites)):
        raise DomainError(_("Site staff are blinded: the unblinded role can be held with the "
                            "site role only when every chosen site's trial allows an unblinded "
                            "pharmacist."), "roles")
    if roles & SITE_SCOPED_ROLES and not sites:
        raise DomainError(_("Choose at least one site for the site role."), "sites")
