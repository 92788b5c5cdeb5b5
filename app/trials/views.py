"""Trials: list, create, edit, approve by signature, visit schedule, exports."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import attach_error, get_or_404
from app.esign.forms import SignForm
from app.esign.services import SigningError, sign, signatures_for
from app.exports.excel import Sheet, xlsx_response
from app.exports.pdf import build_pdf, pdf_response
from app.extensions import db
from app.trials import bp
from app.trials.exports import trial_headers, trial_rows, trial_summary_story
from app.trials.forms import EditTrialForm, TrialForm, VisitForm
from app.trials.models import TRIAL_KINDS, TRIAL_STATUSES, Site, Trial, TrialVisit
from app.trials.queries import visible_trials
from app.trials.services import (
    TrialError,
    create_trial,
    retire_visit,
    save_visit,
    update_trial,
)

TRIAL_SORTS = {"code": Trial.protocol_code, "sponsor": Trial.sponsor, "phase": Trial.phase,
               "status": Trial.status, "created": Trial.created_at}


def _filtered_trials():
    stmt = visible_trials(current_user)
    status = request.args.get("status")
    if status in TRIAL_STATUSES:
        stmt = stmt.where(Trial.status == status)
    kind = request.args.get("kind")
    if kind in TRIAL_KINDS:
        stmt = stmt.where(Trial.kind == kind)
    return stmt


def _visible_trial_or_404(trial_id):
    trial = db.session.scalar(visible_trials(current_user).where(Trial.id == trial_id))
    if trial is None:
        abort(404)
    return trial


def _site_counts(trial_ids):
    rows = db.session.execute(select(Site.trial_id, func.count()).where(
        Site.trial_id.in_(trial_ids)).group_by(Site.trial_id))
    return dict(rows.all())


@bp.route("/")
@require("trials.view")
def list_trials():
    """List trials with search, status and type filters."""
    listing = build_listing(
        _filtered_trials(), sorts=TRIAL_SORTS, default_sort="code",
        search_columns=(Trial.protocol_code, Trial.title, Trial.sponsor, Trial.eu_ct_number),
    )
    counts = _site_counts([t.id for t in listing.items])
    return render_template("trials/list.html", listing=listing, counts=counts,
                           statuses=TRIAL_STATUSES, kinds=TRIAL_KINDS)


@bp.route("/export.xlsx")
@require("trials.view")
def export_trials():
    """Download the filtered trial list as Excel."""
    trials = db.session.scalars(_filtered_trials().order_by(Trial.protocol_code)).all()
    sheet = Sheet(title=_("Trials"), headers=trial_headers(),
                  rows=trial_rows(trials, _site_counts([t.id for t in trials])),
                  widths=[16, 18, 50, 24, 8, 18, 12, 10, 16, 8, 24, 18])
    return xlsx_response("trials.xlsx", [sheet])


@bp.route("/new", methods=["GET", "POST"])
@require("trials.edit")
def new_trial():
    """Create a trial."""
    form = TrialForm()
    if form.validate_on_submit():
        try:
            trial = create_trial(db.session, form.data)
        except TrialError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Trial %(code)s created.", code=trial.protocol_code), "success")
            return redirect(url_for("trials.show_trial", trial_id=trial.id))
    return render_template("trials/form.html", form=form, trial=None)


@bp.route("/<int:trial_id>")
@require("trials.view")
def show_trial(trial_id):
    """Show a trial, its schedule, sites, signatures and history."""
    trial = _visible_trial_or_404(trial_id)
    sign_form = SignForm(meaning="approved")
    return render_template(
        "trials/show.html", trial=trial, sign_form=sign_form,
        signatures=signatures_for(db.session, trial),
        history=history_of(db.session, trial, *trial.visits),
        site_count=_site_counts([trial.id]).get(trial.id, 0),
    )


@bp.route("/<int:trial_id>/edit", methods=["GET", "POST"])
@require("trials.edit")
def edit_trial(trial_id):
    """Change a trial, giving a reason."""
    trial = get_or_404(Trial, trial_id)
    form = EditTrialForm(obj=trial)
    if request.method == "GET":
        form.countries.data = trial.country_list
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            update_trial(db.session, trial, form.data, form.reason.data)
        except TrialError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Trial %(code)s updated.", code=trial.protocol_code), "success")
            return redirect(url_for("trials.show_trial", trial_id=trial.id))
    return render_template("trials/form.html", form=form, trial=trial)


@bp.route("/<int:trial_id>/approve", methods=["POST"])
@require("trials.approve")
def approve_trial(trial_id):
    """Sign the trial set-up (identity, contact, schedule) as approved."""
    trial = get_or_404(Trial, trial_id)
    form = SignForm()
    if not form.validate_on_submit() or form.meaning.data != "approved":
        flash(_("Enter your password and confirm the statement to sign."), "danger")
    else:
        try:
            sign(db.session, trial, meaning="approved", signer=current_user,
                 password=form.password.data, comment=form.comment.data)
        except SigningError as error:
            db.session.commit()  # keep the failed attempt and its audit entry
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The trial set-up is signed as approved."), "success")
    return redirect(url_for("trials.show_trial", trial_id=trial.id) + "#signatures-title")


@bp.route("/<int:trial_id>/summary.pdf")
@require("trials.view")
def trial_pdf(trial_id):
    """Download the trial set-up summary with its signatures."""
    trial = _visible_trial_or_404(trial_id)
    data = build_pdf(
        _("Trial set-up %(code)s", code=trial.protocol_code),
        trial_summary_story(trial), subtitle=trial.title,
        signatures=signatures_for(db.session, trial),
    )
    return pdf_response(f"trial-{trial.protocol_code}.pdf", data)


def _visit_form_page(trial, form, visit):
    return render_template("trials/visit_form.html", trial=trial, form=form, visit=visit)


@bp.route("/<int:trial_id>/visits/new", methods=["GET", "POST"])
@require("trials.edit")
def new_visit(trial_id):
    """Add a visit to the schedule."""
    trial = get_or_404(Trial, trial_id)
    form = VisitForm()
    if request.method == "GET":
        form.number.data = max([v.number for v in trial.visits] or [0]) + 1
    if form.validate_on_submit():
        try:
            save_visit(db.session, trial, form.data, form.reason.data)
        except TrialError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Visit added to the schedule."), "success")
            return redirect(url_for("trials.show_trial", trial_id=trial.id) + "#visits")
    return _visit_form_page(trial, form, None)


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@require("trials.edit")
def edit_visit(visit_id):
    """Change a visit of the schedule."""
    visit = get_or_404(TrialVisit, visit_id)
    form = VisitForm(obj=visit)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            save_visit(db.session, visit.trial, form.data, form.reason.data, visit)
        except TrialError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Visit updated."), "success")
            return redirect(url_for("trials.show_trial", trial_id=visit.trial_id) + "#visits")
    return _visit_form_page(visit.trial, form, visit)


@bp.route("/visits/<int:visit_id>/retire", methods=["POST"])
@require("trials.edit")
def retire_visit_view(visit_id):
    """Take a visit out of the schedule (kept in the record)."""
    visit = get_or_404(TrialVisit, visit_id)
    reason = (request.form.get("reason") or "").strip()[:500]
    if not reason:
        flash(_("Give a reason for this change."), "danger")
    else:
        retire_visit(db.session, visit, reason)
        db.session.commit()
        flash(_("Visit removed from the schedule."), "success")
    return redirect(url_for("trials.show_trial", trial_id=visit.trial_id) + "#visits")
