"""Trials: list, create, edit, status, approve by signature, visit schedule, exports."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.forms import ReasonForm
from app.core.listing import build_listing, where_choice_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.esign.forms import SignForm
from app.esign.services import signatures_for
from app.exports.excel import Sheet, xlsx_response
from app.exports.pdf import build_pdf, pdf_response
from app.extensions import db
from app.trials import bp
from app.trials.exports import trial_headers, trial_rows, trial_summary_story
from app.trials.forms import EditTrialForm, TrialForm, VisitForm
from app.trials.models import TRIAL_KINDS, TRIAL_STATUSES, Trial, TrialVisit
from app.trials.queries import site_counts, visible_trials
from app.trials.services.trials import (
    change_trial_status,
    create_trial,
    retire_visit,
    save_visit,
    sign_trial_approval,
    update_trial,
)
from app.trials.states import TRIAL_MACHINE
from app.trials.views.status import change_status, status_panel

TRIAL_SORTS = {"code": Trial.protocol_code, "sponsor": Trial.sponsor, "phase": Trial.phase,
               "status": Trial.status, "created": Trial.created_at}


def _filtered_trials():
    return where_choice_args(visible_trials(current_user), request.args, {
        "status": (Trial.status, TRIAL_STATUSES), "kind": (Trial.kind, TRIAL_KINDS)})


def _visible_trial_or_404(trial_id):
    return db.first_or_404(visible_trials(current_user).where(Trial.id == trial_id))


def _shown(trial):
    return url_for("trials.show_trial", trial_id=trial.id)


@bp.route("/")
@require("trials.view")
def list_trials():
    """List trials with search, status and type filters."""
    listing = build_listing(
        _filtered_trials(), sorts=TRIAL_SORTS, default_sort="code",
        search_columns=(Trial.protocol_code, Trial.title, Trial.sponsor, Trial.eu_ct_number),
    )
    counts = site_counts(db.session, [t.id for t in listing.items])
    return render_template("trials/list.html", listing=listing, counts=counts,
                           statuses=TRIAL_STATUSES, kinds=TRIAL_KINDS)


@bp.route("/export.xlsx")
@require("trials.view")
def export_trials():
    """Download the filtered trial list as Excel."""
    trials = db.session.scalars(_filtered_trials().order_by(Trial.protocol_code)).all()
    sheet = Sheet(title=_("Trials"), headers=trial_headers(),
                  rows=trial_rows(trials, site_counts(db.session, [t.id for t in trials])),
                  widths=[16, 18, 50, 24, 8, 18, 12, 10, 16, 8, 24, 18])
    return xlsx_response("trials.xlsx", [sheet])


@bp.route("/new", methods=["GET", "POST"])
@require("trials.edit")
def new_trial():
    """Create a trial (it starts in set-up)."""
    form = TrialForm()

    def page():
        return render_template("trials/form.html", form=form, trial=None)

    return perform(
        lambda: create_trial(db.session, form.data), form=form, render=page,
        success=lambda trial: _("Trial %(code)s created.", code=trial.protocol_code),
        next_url=_shown)


def _trial_page(trial, sign_form=None, status_form=None):
    return render_template(
        "trials/show.html", trial=trial,
        sign_form=sign_form or SignForm(formdata=None, meaning="approved"),
        signatures=signatures_for(db.session, trial),
        history=history_of(db.session, trial, *trial.visits),
        site_count=site_counts(db.session, [trial.id]).get(trial.id, 0),
        **status_panel(TRIAL_MACHINE, trial, status_form),
    )


@bp.route("/<int:trial_id>")
@require("trials.view")
def show_trial(trial_id):
    """Show a trial, its schedule, sites, status moves, signatures and history."""
    return _trial_page(_visible_trial_or_404(trial_id))


@bp.route("/<int:trial_id>/edit", methods=["GET", "POST"])
@require("trials.edit")
def edit_trial(trial_id):
    """Change a trial's details, giving a reason (its status moves by a transition)."""
    trial = get_or_404(Trial, trial_id)
    form = EditTrialForm(obj=trial)

    def page():
        return render_template("trials/form.html", form=form, trial=trial)

    if request.method == "GET":
        form.countries.data = trial.country_list
        form.reason.data = ""
    return perform(
        lambda: update_trial(db.session, trial, form.data, form.reason.data), form=form,
        render=page, success=lambda _r: _("Trial %(code)s updated.", code=trial.protocol_code),
        next_url=lambda _r: _shown(trial))


@bp.route("/<int:trial_id>/status", methods=["POST"])
@require("trials.edit")
def trial_status(trial_id):
    """Activate, put on hold, resume or close a trial, giving a reason."""
    trial = get_or_404(Trial, trial_id)
    return change_status(
        trial, change_trial_status, page=_trial_page,
        success=_("The status of trial %(code)s was changed.", code=trial.protocol_code),
        next_url=_shown(trial))


@bp.route("/<int:trial_id>/approve", methods=["POST"])
@require("trials.approve")
def approve_trial(trial_id):
    """Sign the trial set-up (identity, contact, schedule) as approved."""
    trial = get_or_404(Trial, trial_id)
    form = SignForm()

    def approve():
        if form.meaning.data != "approved":
            raise DomainError(_("Enter your password and confirm the statement to sign."),
                              "password")
        return sign_trial_approval(db.session, trial, signer=current_user,
                             password=form.password.data, comment=form.comment.data)

    return perform(
        approve, form=form, render=lambda: _trial_page(trial, sign_form=form),
        success=_("The trial set-up is signed as approved."),
        next_url=_shown(trial) + "#signatures-title")


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


def _visit_form(trial, form, visit, success):
    def page():
        return render_template("trials/visit_form.html", trial=trial, form=form, visit=visit)

    return perform(
        lambda: save_visit(db.session, trial, form.data, form.reason.data, visit), form=form,
        render=page, success=success, next_url=_shown(trial) + "#visits")


@bp.route("/<int:trial_id>/visits/new", methods=["GET", "POST"])
@require("trials.edit")
def new_visit(trial_id):
    """Add a visit to the schedule."""
    trial = get_or_404(Trial, trial_id)
    form = VisitForm()
    if request.method == "GET":
        form.number.data = max([v.number for v in trial.visits] or [0]) + 1
    return _visit_form(trial, form, None, _("Visit added to the schedule."))


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@require("trials.edit")
def edit_visit(visit_id):
    """Change a visit of the schedule."""
    visit = get_or_404(TrialVisit, visit_id)
    form = VisitForm(obj=visit)
    if request.method == "GET":
        form.reason.data = ""
    return _visit_form(visit.trial, form, visit, _("Visit updated."))


@bp.route("/visits/<int:visit_id>/retire", methods=["POST"])
@require("trials.edit")
def retire_visit_view(visit_id):
    """Take a visit out of the schedule (kept in the record)."""
    visit = get_or_404(TrialVisit, visit_id)
    form = ReasonForm()
    return perform(
        lambda: retire_visit(db.session, visit, form.reason.data), form=form,
        success=_("Visit removed from the schedule."),
        next_url=_shown(visit.trial) + "#visits")
