"""Batch record screens: the list, opening one, its page (with every line form), the PDF, and
the moves of its state machine (start, hand to QA, release, reject, send back)."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.blinding import bp
from app.blinding import forms as f
from app.blinding.exports import batch_record_pdf
from app.blinding.models import BATCH_STATUSES, BatchRecord
from app.blinding.queries import visible_batches
from app.blinding.services import batch_records as service
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.esign.services import signatures_for
from app.exports.pdf import pdf_response
from app.extensions import db
from app.stock.api import Lot
from app.trials.api import Trial, visible_trials


@bp.route("/batches")
@require("blinding.batches")
def list_batches():
    """Batch records: search by number, order or lot; filter by state and kind; sort; pages."""
    stmt = visible_batches(current_user).join(Lot, Lot.id == BatchRecord.output_lot_id)
    status, kind = request.args.get("status"), request.args.get("kind")
    if status in BATCH_STATUSES:
        stmt = stmt.where(BatchRecord.status == status)
    if kind:
        stmt = stmt.where(BatchRecord.kind == kind)
    listing = build_listing(
        stmt, sorts={"number": BatchRecord.number, "created": BatchRecord.created_at,
                     "order": BatchRecord.sponsor_order},
        default_sort="-created",
        search_columns=(BatchRecord.number, BatchRecord.sponsor_order, Lot.number))
    return render_template("blinding/batches.html", listing=listing)


def visible_batch_or_404(record_id):
    """Return a batch record the user may see, or 404."""
    record = db.session.scalar(visible_batches(current_user).where(BatchRecord.id == record_id))
    if record is None:
        abort(404)
    return record


def _lot_choices(blank):
    lots = db.session.scalars(db.select(Lot).order_by(Lot.number)).all()
    return [(0, blank)] + [(lot.id, f"{lot.number} · {lot.product.name}") for lot in lots]


@bp.route("/batches/new", methods=["GET", "POST"])
@require("blinding.batch")
def new_batch():
    """Open a batch record for a sponsor's order (draft)."""
    form = f.BatchRecordForm()
    form.trial_id.choices = [(t.id, f"{t.protocol_code} · {t.title}") for t in db.session.scalars(
        visible_trials(current_user, "blinding.batches").order_by(Trial.protocol_code))]
    form.matched_lot_id.choices = _lot_choices(_("None (blinded packaging)"))
    form.output_lot_id.choices = _lot_choices(_("Choose a lot"))

    def act():
        trial = db.session.get(Trial, form.trial_id.data)
        if trial is None:
            abort(404)
        return service.create_record(db.session, trial, form.data, by=current_user)

    return perform(act, form=form, render=lambda: render_template(
        "blinding/batch_form.html", form=form),
        success=lambda record: _("Batch record %(n)s opened.", n=record.number),
        next_url=lambda record: url_for("blinding.show_batch", record_id=record.id))


def _line_forms(record):
    """Return a fresh, empty form for every line of the page, keyed as the template reads."""
    empty = {"formdata": None}
    forms = {"material": f.MaterialForm(prefix="material", **empty),
             "step": f.StepForm(prefix="step", **empty),
             "check": f.BatchCheckForm(prefix="check", **empty),
             "yield": f.YieldForm(prefix="yield", **empty),
             "deviation": f.DeviationForm(prefix="deviation", **empty),
             "release": f.ReleaseBatchForm(prefix="release", **empty),
             "reject": f.RejectBatchForm(prefix="reject", **empty),
             "reopen": f.ReopenBatchForm(prefix="reopen", **empty)}
    for m in record.materials:
        forms[("reconcile", m.id)] = f.ReconcileForm(prefix=f"m{m.id}", **empty)
    for s in record.steps:
        forms[("done", s.id)] = f.StepDoneForm(prefix=f"done{s.id}", **empty)
        forms[("checked", s.id)] = f.StepCheckForm(prefix=f"checked{s.id}", **empty)
    for c in record.checks:
        forms[("result", c.id)] = f.CheckResultForm(prefix=f"c{c.id}", **empty)
    for d in record.deviations:
        forms[("close", d.id)] = f.CloseDeviationForm(prefix=f"d{d.id}", **empty)
    return forms


def render_batch(record, failed=None):
    """Render a record's page; ``failed`` = (key, form) shows that form with its errors."""
    forms = _line_forms(record)
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "blinding/batch.html", record=record, forms=forms, failed=failed and failed[0],
        missing=service.missing_for_release(record) if record.status in (
            "in_production", "awaiting_qa") else [],
        signatures=signatures_for(db.session, record),
        history=history_of(db.session, record, *record.materials, *record.steps,
                           *record.checks, *record.deviations))


@bp.route("/batches/<int:record_id>")
@require("blinding.batches")
def show_batch(record_id):
    """A batch record: header, materials, steps, checks, yield, deviations, history."""
    return render_batch(visible_batch_or_404(record_id))


@bp.route("/batches/<int:record_id>/record.pdf")
@require("blinding.batches")
def batch_pdf(record_id):
    """The printable batch record."""
    record = visible_batch_or_404(record_id)
    return pdf_response(f"batch-record-{record.number}.pdf", batch_record_pdf(db.session, record))


def run_on_page(record, key, form, act, success):
    """Run a line or state action posted from the record's page; re-show it on a refusal."""
    return perform(act, form=form, render=lambda: render_batch(
        db.session.get(BatchRecord, record.id), (key, form)), success=success,
        next_url=url_for("blinding.show_batch", record_id=record.id))


@bp.route("/batches/<int:record_id>/start", methods=["POST"])
@require("blinding.batch")
def start_batch(record_id):
    """Start production."""
    record = visible_batch_or_404(record_id)
    return perform(lambda: service.start_production(db.session, record, by=current_user),
                   success=_("Production started."),
                   next_url=url_for("blinding.show_batch", record_id=record.id))


@bp.route("/batches/<int:record_id>/submit", methods=["POST"])
@require("blinding.batch")
def submit_batch(record_id):
    """Hand the completed record to QA."""
    record = visible_batch_or_404(record_id)
    return perform(lambda: service.submit_for_release(db.session, record, by=current_user),
                   success=_("Batch record handed to QA for release."),
                   next_url=url_for("blinding.show_batch", record_id=record.id))


@bp.route("/batches/<int:record_id>/release", methods=["POST"])
@require("blinding.batch_release")
def release_batch(record_id):
    """QA releases the record by e-signature."""
    record = visible_batch_or_404(record_id)
    form = f.ReleaseBatchForm(prefix="release")
    return run_on_page(record, "release", form, lambda: service.release_record(
        db.session, record, by=current_user, password=form.password.data),
        _("Batch record released: lot %(lot)s may now be used.", lot=record.output_lot.number))


@bp.route("/batches/<int:record_id>/reject", methods=["POST"])
@require("blinding.batch_release")
def reject_batch(record_id):
    """QA rejects the record by e-signature, with a reason."""
    record = visible_batch_or_404(record_id)
    form = f.RejectBatchForm(prefix="reject")
    return run_on_page(record, "reject", form, lambda: service.reject_record(
        db.session, record, by=current_user, password=form.password.data,
        reason=form.reason.data), _("Batch record rejected."))


@bp.route("/batches/<int:record_id>/reopen", methods=["POST"])
@require("blinding.batch_release")
def reopen_batch(record_id):
    """QA sends the record back to production."""
    record = visible_batch_or_404(record_id)
    form = f.ReopenBatchForm(prefix="reopen")
    return run_on_page(record, "reopen", form, lambda: service.reopen_record(
        db.session, record, by=current_user, reason=form.reason.data),
        _("Batch record sent back to production."))

