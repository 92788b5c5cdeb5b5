"""Label runs: choose kits and template, the PDF job, reconciliation; a kit's labels."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.listing import build_listing, where_choice_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.core.templating import local_date
from app.exports.excel import xlsx_response
from app.extensions import db
from app.jobs.services import enqueue, start_job
from app.labelling import bp
from app.labelling.exports import run_list_sheet
from app.labelling.forms import ReconcileForm, RunForm
from app.labelling.models import RUN_STATUSES, LabelRun, LabelTemplate
from app.labelling.queries import open_campaigns, shipments_to_label
from app.labelling.services.runs import close_run, labels_of_kit, request_run
from app.stock.api import Kit, Lot
from app.trials.api import Trial


@bp.route("/runs")
@require("labelling.view")
def list_runs():
    """List label runs, newest first, filtered by status."""
    stmt = select(LabelRun).join(Trial, Trial.id == LabelRun.trial_id)
    stmt = where_choice_args(stmt, request.args, {"status": (LabelRun.status, RUN_STATUSES)})
    listing = build_listing(stmt, sorts={"created": LabelRun.created_at,
                                         "trial": Trial.protocol_code},
                            default_sort="-created", search_columns=(Trial.protocol_code,))
    return render_template("labelling/runs.html", listing=listing)


def _run_form(trial):
    form = RunForm()
    form.template_id.choices = [(t.id, f"{t.name} v{t.version} · {t.language}")
                                for t in db.session.scalars(select(LabelTemplate).where(
                                    LabelTemplate.trial_id == trial.id,
                                    LabelTemplate.status == "approved")
                                    .order_by(LabelTemplate.name))]
    form.lot_id.choices = [(0, "—")] + [(lot.id, f"{lot.number} · {lot.product}")
                                        for lot in db.session.scalars(select(Lot).where(
                                            Lot.trial_id == trial.id).order_by(Lot.number))]
    form.campaign_id.choices = [(0, "—")] + [
        (c.id, f"{c.lot.number} → {local_date(c.new_expiry)}")
        for c in open_campaigns(db.session, trial.id)]
    form.shipment_id.choices = [(0, "—")] + [
        (s.id, f"{s.number} → {s.destination.name}")
        for s in shipments_to_label(db.session, trial.id)]
    if request.method == "GET":
        for name in ("lot_id", "campaign_id", "shipment_id"):
            if request.args.get(name, "").isdigit():
                getattr(form, name).data = int(request.args[name])
        if request.args.get("scope"):
            form.scope.data = request.args["scope"]
    return form


@bp.route("/trials/<int:trial_id>/runs/new", methods=["GET", "POST"])
@require("labelling.print")
def new_run(trial_id):
    """Print labels for a lot, a kit range, a shipment or a relabel campaign (a job)."""
    trial = get_or_404(Trial, trial_id)
    form = _run_form(trial)

    def start():
        run = request_run(db.session, trial, form.data, current_user)
        job = start_job(db.session, current_user, "label_run", {"run_id": run.id},
                        run.kit_count)
        run.job_id = job.id
        return run

    def launched(run):
        enqueue(db.session, run.job)
        flash(_("The labels are being printed to a PDF; this page shows the progress."),
              "success")
        return redirect(url_for("labelling.show_run", run_id=run.id))

    return perform(start, form=form,
                   render=lambda: render_template("labelling/run_form.html", form=form,
                                                  trial=trial),
                   success=None, next_url=url_for("labelling.list_runs"), respond=launched)


def _run_page(run, form=None):
    if form is None:
        form = ReconcileForm(formdata=None, applied=run.printed, spoiled=0, destroyed=0)
    return render_template("labelling/run.html", run=run, form=form,
                           history=history_of(db.session, run))


@bp.route("/runs/<int:run_id>")
@require("labelling.view")
def show_run(run_id):
    """Show a run: its job and PDF, the labels printed, the reconciliation."""
    return _run_page(get_or_404(LabelRun, run_id))


@bp.route("/runs/<int:run_id>/close", methods=["POST"])
@require("labelling.print")
def reconcile(run_id):
    """Reconcile the run's labels and close it."""
    run = get_or_404(LabelRun, run_id)
    form = ReconcileForm()
    return perform(lambda: close_run(db.session, run, form.data, current_user), form=form,
                   render=lambda: _run_page(run, form), success=_("Label run closed."),
                   next_url=url_for("labelling.show_run", run_id=run.id))


@bp.route("/runs/<int:run_id>/labels.xlsx", methods=["GET", "POST"])
@require("labelling.view")
def run_labels(run_id):
    """Download the list of labels printed in the run (a background job for a large run)."""
    from app.jobs.views import export_or_job

    run = get_or_404(LabelRun, run_id)
    return export_or_job("label_run_list", {"run_id": run.id}, lambda: xlsx_response(
        f"labels-{run.audit_label()}.xlsx", [run_list_sheet(db.session, run)]))


@bp.route("/kits/<int:kit_id>/labels")
@require("labelling.view")
def kit_labels(kit_id):
    """Show the labels printed for a kit: run and template version."""
    kit = get_or_404(Kit, kit_id)
    return render_template("labelling/kit_labels.html", kit=kit,
                           prints=labels_of_kit(db.session, kit))
