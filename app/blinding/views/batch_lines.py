"""The lines of a batch record, posted from its page: materials, steps, checks, yield,
deviations. A refusal shows the page again with the typed values beside their messages."""

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app.blinding import bp
from app.blinding import forms as f
from app.blinding.models import BatchCheck, BatchDeviation, BatchMaterial, BatchStep
from app.blinding.services import batch_lines as lines
from app.blinding.views.batch_records import run_on_page, visible_batch_or_404
from app.core.permissions import require
from app.extensions import db


def _line(model, record, line_id):
    line = db.session.get(model, line_id)
    if line is None or line.record_id != record.id:
        abort(404)
    return line


@bp.route("/batches/<int:record_id>/materials", methods=["POST"])
@require("blinding.batch")
def add_batch_material(record_id):
    """Issue a material to the batch."""
    record = visible_batch_or_404(record_id)
    form = f.MaterialForm(prefix="material")
    return run_on_page(record, "material", form, lambda: lines.add_material(
        db.session, record, material=form.material.data, supplier_lot=form.supplier_lot.data,
        unit=form.unit.data, issued=form.issued.data), _("Material added."))


@bp.route("/batches/<int:record_id>/materials/<int:line_id>", methods=["POST"])
@require("blinding.batch")
def reconcile_batch_material(record_id, line_id):
    """Reconcile a material."""
    record = visible_batch_or_404(record_id)
    material = _line(BatchMaterial, record, line_id)
    form = f.ReconcileForm(prefix=f"m{material.id}")
    return run_on_page(record, ("reconcile", material.id), form, lambda: lines.reconcile_material(
        db.session, material, by=current_user, used=form.used.data,
        returned=form.returned.data, wasted=form.wasted.data, deviation=form.deviation.data),
        _("Material reconciled."))


@bp.route("/batches/<int:record_id>/steps", methods=["POST"])
@require("blinding.batch")
def add_batch_step(record_id):
    """Add a step."""
    record = visible_batch_or_404(record_id)
    form = f.StepForm(prefix="step")
    return run_on_page(record, "step", form, lambda: lines.add_step(
        db.session, record, instruction=form.instruction.data), _("Step added."))


@bp.route("/batches/<int:record_id>/steps/<int:line_id>/done", methods=["POST"])
@require("blinding.batch")
def batch_step_done(record_id, line_id):
    """The operator signs the step as done."""
    record = visible_batch_or_404(record_id)
    step = _line(BatchStep, record, line_id)
    form = f.StepDoneForm(prefix=f"done{step.id}")
    return run_on_page(record, ("done", step.id), form, lambda: lines.perform_step(
        db.session, step, by=current_user, password=form.password.data, note=form.note.data),
        _("Step %(n)s signed as done; a second person must check it.", n=step.position))


@bp.route("/batches/<int:record_id>/steps/<int:line_id>/check", methods=["POST"])
@require("blinding.batch")
def batch_step_check(record_id, line_id):
    """A second person checks the step."""
    record = visible_batch_or_404(record_id)
    step = _line(BatchStep, record, line_id)
    form = f.StepCheckForm(prefix=f"checked{step.id}")
    return run_on_page(record, ("checked", step.id), form, lambda: lines.check_step(
        db.session, step, by=current_user, password=form.password.data),
        _("Step %(n)s checked.", n=step.position))


@bp.route("/batches/<int:record_id>/checks", methods=["POST"])
@require("blinding.batch")
def add_batch_check(record_id):
    """Define an in-process check."""
    record = visible_batch_or_404(record_id)
    form = f.BatchCheckForm(prefix="check")
    return run_on_page(record, "check", form, lambda: lines.add_check(
        db.session, record, kind=form.kind.data, name=form.name.data, unit=form.unit.data,
        lower=form.lower.data, upper=form.upper.data), _("Check added."))


@bp.route("/batches/<int:record_id>/checks/<int:line_id>", methods=["POST"])
@require("blinding.batch")
def record_batch_check(record_id, line_id):
    """Record an in-process check's result."""
    record = visible_batch_or_404(record_id)
    check = _line(BatchCheck, record, line_id)
    form = f.CheckResultForm(prefix=f"c{check.id}")
    match = {"yes": True, "no": False}.get(form.appearance_match.data)
    return run_on_page(record, ("result", check.id), form, lambda: lines.record_check(
        db.session, check, by=current_user, result=form.result.data, appearance_match=match,
        comment=form.comment.data, deviation=form.deviation.data), _("Result recorded."))


@bp.route("/batches/<int:record_id>/yield", methods=["POST"])
@require("blinding.batch")
def record_batch_yield(record_id):
    """Record the quantity produced."""
    record = visible_batch_or_404(record_id)
    form = f.YieldForm(prefix="yield")
    return run_on_page(record, "yield", form, lambda: lines.record_yield(
        db.session, record, by=current_user, actual=form.actual_quantity.data,
        deviation=form.deviation.data), _("Yield recorded."))


@bp.route("/batches/<int:record_id>/deviations", methods=["POST"])
@require("blinding.batch")
def raise_batch_deviation(record_id):
    """Raise a deviation."""
    record = visible_batch_or_404(record_id)
    form = f.DeviationForm(prefix="deviation")
    return run_on_page(record, "deviation", form, lambda: lines.raise_deviation(
        db.session, record, by=current_user, description=form.description.data,
        impact=form.impact.data), _("Deviation recorded."))


@bp.route("/batches/<int:record_id>/deviations/<int:line_id>", methods=["POST"])
@require("blinding.batch_release")
def close_batch_deviation(record_id, line_id):
    """QA closes a deviation with its impact and CAPA."""
    record = visible_batch_or_404(record_id)
    deviation = _line(BatchDeviation, record, line_id)
    form = f.CloseDeviationForm(prefix=f"d{deviation.id}")
    return run_on_page(record, ("close", deviation.id), form, lambda: lines.close_deviation(
        db.session, deviation, by=current_user, impact=form.impact.data, capa=form.capa.data),
        _("Deviation #%(n)s closed.", n=deviation.number))
