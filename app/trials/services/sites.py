"""Add and change sites; open and close them."""

from flask_babel import gettext as _

from app.audit.services import set_reason
from app.core.states import apply_transition
from app.core.unique import refuse_taken
from app.trials.models import Site
from app.trials.services import assign
from app.trials.states import SITE_MACHINE

SITE_FIELDS = ("site_number", "hospital", "address", "country", "principal_investigator",
               "phone")


def _check_site_number(session, trial_id, number, site_id=None):
    refuse_taken(session, Site.site_number, number,
                 _("This trial already has a site with this number."), "site_number",
                 record_id=site_id, among=(Site.trial_id == trial_id,))


def create_site(session, trial, data):
    """Add a site to a trial; it starts active."""
    _check_site_number(session, trial.id, data["site_number"])
    site = Site(trial=trial, status="active")
    assign(site, data, SITE_FIELDS)
    session.add(site)
    session.flush()
    return site


def update_site(session, site, data, reason):
    """Change a site's details (not its status); the reason goes to the audit trail."""
    _check_site_number(session, site.trial_id, data["site_number"], site.id)
    set_reason(session, reason)
    assign(site, data, SITE_FIELDS)
    session.flush()


def change_site_status(session, site, event, *, by, reason):
    """Close or reopen a site through its state machine."""
    return apply_transition(session, SITE_MACHINE, site, event, by=by, reason=reason)
