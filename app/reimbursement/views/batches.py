"""Payment batches: build, release with an e-signature, mark paid, download XML/Excel/PDF."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core import clock
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.listing import build_listing
from app.core.permissions import require
from app.esign.forms import SignForm
from app.esign.services import signatures_for
from app.exports.excel import xlsx_response
from app.exports.pdf import pdf_response
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.exports import batch_items, batch_sheet, batch_summary_pdf
from app.reimbursement.forms import BatchForm, CancelBatchForm, MarkPaidForm
from app.reimbursement.models import Claim, PaymentBatch
from app.reimbursement.queries import (
    batch_or_404,
    batches_filtered,
    claims_waiting_for_payment,
)
from app.reimbursement.services.payments import (
    cancel_batch,
    create_batch,
    mark_batch_paid,
    release_batch,
)


def _batch_url(batch):
    return url_for("reimbursement.show_batch", batch_id=batch.id)


@bp.route("/batches")
@require("reimbursement.pay")
def list_batches():
    """List payment batches, newest first."""
    listing = build_listing(batches_filtered(request.args, current_user),
                            sorts={"id": PaymentBatch.id, "status": PaymentBatch.status},
                            default_sort="-id", search_columns=(PaymentBatch.message_id,))
    waiting = db.session.scalar(select(db.func.count()).where(Claim.status == "approved"))
    return render_template("reimbursement/batches.html", listing=listing, waiting=waiting)


@bp.route("/batches/new", methods=["GET", "POST"])
@require("reimbursement.pay")
def new_batch():
    """Choose approved claims and build a batch."""
    form = BatchForm()

    def page():
        return render_template("reimbursement/batch_form.html", form=form,
                               waiting=claims_waiting_for_payment(db.session)), \
            422 if form.errors else 200

    if request.method == "GET":
        form.execution_date.data = clock.today()
    return perform(
        lambda: create_batch(db.session, form.claims.data, current_user,
                             form.execution_date.data),
        form=form, default_field="claims", next_url=_batch_url, render=page,
        success=lambda batch: _("Batch %(id)s prepared. Another finance user must release it.",
                                id=batch.message_id))


def _sign_form():
    form = SignForm(formdata=None)
    form.meaning.data = "released"
    return form


@bp.route("/batches/<int:batch_id>")
@require("reimbursement.pay")
def show_batch(batch_id):
    """Show a batch, its transfers and signatures."""
    return _batch_page(batch_or_404(db.session, current_user, batch_id))


def _batch_page(batch, paid_form=None, cancel_form=None, release_form=None):
    from app.jobs.queries import ready_jobs_for

    sepa_files = db.session.scalars(ready_jobs_for("sepa_file", "batch_id", batch.id)).all()
    return render_template("reimbursement/batch.html", batch=batch, sepa_files=sepa_files,
                           items=batch_items(db.session, batch),
                           release_form=release_form or _sign_form(),
                           paid_form=paid_form or MarkPaidForm(formdata=None),
                           cancel_form=cancel_form or CancelBatchForm(formdata=None),
                           signatures=signatures_for(db.session, batch),
                           history=history_of(db.session, batch))


@bp.route("/batches/<int:batch_id>/release", methods=["POST"])
@require("reimbursement.pay")
def release(batch_id):
    """Release the batch with an electronic signature (a second finance user)."""
    batch = batch_or_404(db.session, current_user, batch_id)
    form = SignForm()

    def sign_and_release():
        if not form.validate_on_submit():
            raise DomainError(_("Confirm the statement and give your password to sign."))
        return release_batch(db.session, batch, current_user, form.password.data,
                             comment=form.comment.data)

    form.meaning.data = "released"
    return perform(sign_and_release, form=form, validate=False, success=_("Batch released."),
                   render=lambda: _batch_page(batch, release_form=form),
                   next_url=_batch_url(batch))


@bp.route("/batches/<int:batch_id>/paid", methods=["POST"])
@require("reimbursement.pay")
def mark_paid(batch_id):
    """Mark a released batch paid (and its claims), once."""
    batch = batch_or_404(db.session, current_user, batch_id)
    form = MarkPaidForm()
    return perform(lambda: mark_batch_paid(db.session, batch, current_user,
                                           value_date=form.value_date.data,
                                           bank_reference=form.bank_reference.data),
                   form=form, render=lambda: _batch_page(batch, paid_form=form),
                   success=_("Batch marked paid; the claimants have been told."),
                   next_url=_batch_url(batch))


@bp.route("/batches/<int:batch_id>/cancel", methods=["POST"])
@require("reimbursement.pay")
def cancel(batch_id):
    """Cancel a prepared, unreleased batch with a reason; its claims wait for payment again."""
    batch = batch_or_404(db.session, current_user, batch_id)
    form = CancelBatchForm()
    return perform(lambda: cancel_batch(db.session, batch, current_user, form.reason.data),
                   form=form, render=lambda: _batch_page(batch, cancel_form=form),
                   success=_("Batch cancelled; its claims are waiting for payment again."),
                   next_url=_batch_url(batch))


@bp.route("/batches/<int:batch_id>/pain001.xml", methods=["POST"])
@require("reimbursement.pay")
def batch_xml(batch_id):
    """Prepare the SEPA credit transfer file (pain.001.001.03) of a released batch: always a
    background job; the validated file is kept in the file storage and listed on the batch."""
    from app.jobs.services import enqueue, start_job

    batch = batch_or_404(db.session, current_user, batch_id)

    def start():
        if batch.status == "draft":
            raise DomainError(_("The SEPA file is prepared once the batch has been released."))
        if batch.status == "cancelled":
            raise DomainError(_("This batch was cancelled: it has no SEPA file."))
        if batch.status == "paid":
            raise DomainError(_("This batch has been paid: no new SEPA file can be prepared "
                                "for it."))
        refuse_without_queue()
        return start_job(db.session, current_user, "sepa_file", {"batch_id": batch.id},
                         batch.count)

    def launched(job):
        enqueue(db.session, job)
        flash(_("The SEPA file is being prepared and checked against its schema; you will get "
                "a notice when it is ready."), "success")
        return redirect(url_for("jobs.show", job_id=job.id))

    return perform(start, success=None, next_url=_batch_url(batch) + "#sepa",
                   respond=launched)


def refuse_without_queue():
    """Refuse to start the SEPA job, in words of payments, when the queue is down."""
    from app.jobs.queue import queue_reachable

    if not queue_reachable():
        raise DomainError(_("The SEPA file cannot be prepared right now: the background queue "
                            "is not reachable. Try again in a few minutes."))


@bp.route("/batches/<int:batch_id>/sepa/<int:job_id>")
@require("reimbursement.pay")
def sepa_file(batch_id, job_id):
    """Download a SEPA file prepared for this batch (by any finance user)."""
    from app.files.services import send_stored_file
    from app.jobs.queries import ready_jobs_for

    batch = batch_or_404(db.session, current_user, batch_id)
    job = db.session.scalar(ready_jobs_for("sepa_file", "batch_id", batch.id, job_id))
    if job is None or job.file is None:
        abort(404)
    return send_stored_file(job.file, as_attachment=True)


@bp.route("/batches/<int:batch_id>.xlsx", methods=["GET", "POST"])
@require("reimbursement.pay")
def batch_excel(batch_id):
    """Download the batch detail as Excel (a background job for a very large batch)."""
    from app.jobs.views import export_or_job  # here: app.jobs imports every domain's models

    batch = batch_or_404(db.session, current_user, batch_id)
    return export_or_job("payment_batch", {"batch_id": batch.id}, lambda: xlsx_response(
        f"{batch.message_id}.xlsx", [batch_sheet(db.session, batch)]))


@bp.route("/batches/<int:batch_id>/summary.pdf", methods=["GET", "POST"])
@require("reimbursement.pay")
def batch_pdf(batch_id):
    """Download the batch summary PDF (a background job for a very large batch)."""
    from app.jobs.views import export_or_job

    batch = batch_or_404(db.session, current_user, batch_id)
    return export_or_job("payment_batch_pdf", {"batch_id": batch.id}, lambda: pdf_response(
        f"{batch.message_id}.pdf", batch_summary_pdf(batch, batch_items(db.session, batch),
                                                     signatures_for(db.session, batch))))
