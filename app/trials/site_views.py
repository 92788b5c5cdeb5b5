"""Sites: list, create, edit, show with subjects and history."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import attach_error, get_or_404
from app.extensions import db
from app.trials import bp
from app.trials.forms import EditSiteForm, SiteForm
from app.trials.models import SITE_STATUSES, Site, Subject, Trial
from app.trials.queries import visible_sites, visible_trials
from app.trials.services import TrialError, create_site, update_site


def _trial_choices():
    trials = db.session.scalars(visible_trials(current_user).order_by(Trial.protocol_code))
    return [(t.id, f"{t.protocol_code} · {t.title[:60]}") for t in trials]


def _visible_site_or_404(site_id):
    site = db.session.scalar(visible_sites(current_user).where(Site.id == site_id))
    if site is None:
        abort(404)
    return site


@bp.route("/sites")
@require("sites.view")
def list_sites():
    """List the sites the user may see, filtered by trial, country and status."""
    stmt = visible_sites(current_user)
    trial_id = request.args.get("trial", type=int)
    if trial_id:
        stmt = stmt.where(Site.trial_id == trial_id)
    status = request.args.get("status")
    if status in SITE_STATUSES:
        stmt = stmt.where(Site.status == status)
    listing = build_listing(
        stmt,
        sorts={"trial": Trial.protocol_code, "number": Site.site_number,
               "hospital": Site.hospital, "country": Site.country,
               "pi": Site.principal_investigator},
        default_sort="trial",
        search_columns=(Site.site_number, Site.hospital, Site.principal_investigator,
                        Site.address),
    )
    counts = dict(db.session.execute(
        select(Subject.site_id, func.count()).where(
            Subject.site_id.in_([s.id for s in listing.items])).group_by(Subject.site_id)).all())
    return render_template("trials/sites.html", listing=listing, counts=counts,
                           trials=_trial_choices(), statuses=SITE_STATUSES)


@bp.route("/sites/new", methods=["GET", "POST"])
@require("sites.edit")
def new_site():
    """Add a site to a trial."""
    form = SiteForm()
    form.trial_id.choices = _trial_choices()
    if request.method == "GET" and request.args.get("trial", type=int):
        form.trial_id.data = request.args.get("trial", type=int)
    if form.validate_on_submit():
        trial = get_or_404(Trial, form.trial_id.data)
        try:
            site = create_site(db.session, trial, form.data)
        except TrialError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Site %(site)s added.", site=site.site_number), "success")
            return redirect(url_for("trials.show_site", site_id=site.id))
    return render_template("trials/site_form.html", form=form, site=None)


@bp.route("/sites/<int:site_id>")
@require("sites.view")
def show_site(site_id):
    """Show a site, its subjects and history."""
    site = _visible_site_or_404(site_id)
    subjects = db.session.scalars(
        select(Subject).where(Subject.site_id == site.id).order_by(Subject.code).limit(200)
    ).all()
    return render_template("trials/site.html", site=site, subjects=subjects,
                           history=history_of(db.session, site))


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@require("sites.edit")
def edit_site(site_id):
    """Change a site, giving a reason (its trial cannot change)."""
    site = get_or_404(Site, site_id)
    form = EditSiteForm(obj=site)
    del form.trial_id
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            update_site(db.session, site, form.data, form.reason.data)
        except TrialError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Site %(site)s updated.", site=site.site_number), "success")
            return redirect(url_for("trials.show_site", site_id=site.id))
    return render_template("trials/site_form.html", form=form, site=site)
