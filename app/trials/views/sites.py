"""Sites: list, create, edit, close or reopen, show with subjects and history."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.listing import build_listing, where_choice_args, where_id_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.trials import bp
from app.trials.forms import EditSiteForm, SiteForm
from app.trials.models import SITE_STATUSES, Site, Subject, Trial
from app.trials.queries import subject_counts, trial_choices, visible_sites
from app.trials.services.sites import change_site_status, create_site, update_site
from app.trials.states import SITE_MACHINE
from app.trials.views.status import change_status, status_panel


def _visible_site_or_404(site_id):
    return db.first_or_404(visible_sites(current_user).where(Site.id == site_id))


def _shown(site):
    return url_for("trials.show_site", site_id=site.id)


@bp.route("/sites")
@require("sites.view")
def list_sites():
    """List the sites the user may see, filtered by trial, country and status."""
    stmt = where_id_args(visible_sites(current_user), request.args, {"trial": Site.trial_id})
    stmt = where_choice_args(stmt, request.args, {"status": (Site.status, SITE_STATUSES)})
    listing = build_listing(
        stmt,
        sorts={"trial": Trial.protocol_code, "number": Site.site_number,
               "hospital": Site.hospital, "country": Site.country,
               "pi": Site.principal_investigator},
        default_sort="trial",
        search_columns=(Site.site_number, Site.hospital, Site.principal_investigator,
                        Site.address),
    )
    counts = subject_counts(db.session, [s.id for s in listing.items])
    return render_template("trials/sites.html", listing=listing, counts=counts,
                           trials=trial_choices(db.session, current_user),
                           statuses=SITE_STATUSES)


@bp.route("/sites/new", methods=["GET", "POST"])
@require("sites.edit")
def new_site():
    """Add a site to a trial (it starts active)."""
    form = SiteForm()
    form.trial_id.choices = trial_choices(db.session, current_user)

    def page():
        return render_template("trials/site_form.html", form=form, site=None)

    if request.method == "GET":
        form.trial_id.data = request.args.get("trial", type=int)
    return perform(
        lambda: create_site(db.session, get_or_404(Trial, form.trial_id.data), form.data),
        form=form, render=page,
        success=lambda site: _("Site %(site)s added.", site=site.site_number),
        next_url=_shown)


def _site_page(site, status_form=None):
    subjects = db.session.scalars(
        select(Subject).where(Subject.site_id == site.id).order_by(Subject.code).limit(200)
    ).all()
    return render_template(
        "trials/site.html", site=site, subjects=subjects, history=history_of(db.session, site),
        **status_panel(SITE_MACHINE, site, status_form))


@bp.route("/sites/<int:site_id>")
@require("sites.view")
def show_site(site_id):
    """Show a site, its subjects, status moves and history."""
    return _site_page(_visible_site_or_404(site_id))


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@require("sites.edit")
def edit_site(site_id):
    """Change a site, giving a reason (its trial cannot change; its status moves apart)."""
    site = get_or_404(Site, site_id)
    form = EditSiteForm(obj=site)
    del form.trial_id

    def page():
        return render_template("trials/site_form.html", form=form, site=site)

    if request.method == "GET":
        form.reason.data = ""
    return perform(
        lambda: update_site(db.session, site, form.data, form.reason.data), form=form,
        render=page, success=lambda _r: _("Site %(site)s updated.", site=site.site_number),
        next_url=_shown(site))


@bp.route("/sites/<int:site_id>/status", methods=["POST"])
@require("sites.edit")
def site_status(site_id):
    """Close or reopen a site, giving a reason."""
    site = get_or_404(Site, site_id)
    return change_status(
        site, change_site_status, page=_site_page,
        success=_("The status of site %(site)s was changed.", site=site.site_number),
        next_url=_shown(site))
