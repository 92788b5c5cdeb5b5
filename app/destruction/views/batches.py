"""Destruction batches: create, add kits, witness, execute, the certificate and its sending."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.destruction import bp
from app.destruction.forms import BatchForm, DevicesForm, KitsForm, UploadForm
from app.destruction.models import Authorisation, DestructionBatch, DestructionItem
from app.destruction.queries import can_see_batch
from app.destruction.services import batch_devices
from app.destruction.services import batches as service
from app.destruction.services.certificate import batch_sites, send_to_sponsor
from app.esign.forms import SignForm
from app.esign.services import signatures_for
from app.extensions import db
from app.files.services import send_stored_file
from app.trials.api import Site, can_see_site

ITEMS_SHOWN = 200


def batch_or_404(batch_id):
    """Return the batch if the user may see it, else 404."""
    batch = get_or_404(DestructionBatch, batch_id)
    if not can_see_batch(current_user, batch):
        abort(404)
    return batch


def _url(batch, anchor=""):
    return url_for("destruction.show_batch", batch_id=batch.id) + anchor


@bp.route("/batches/new", methods=["GET", "POST"])
@require("destruction.manage")
def new_batch():
    """Create a destruction batch under a sponsor authorisation."""
    form = BatchForm()
    auths = db.session.scalars(select(Authorisation).order_by(Authorisation.id.desc())).all()
    form.authorisation_id.choices = [(a.id, f"{a.reference} · {a.trial.protocol_code}")
                                     for a in auths]
    sites = db.session.scalars(select(Site).where(Site.trial_id.in_(
        {a.trial_id for a in auths})).order_by(Site.site_number)).all()
    form.site_id.choices = [(0, _("No: by the waste contractor"))] + [
        (s.id, f"{s.trial.protocol_code} · {s.site_number} {s.hospital}") for s in sites]

    def create():
        auth = next((a for a in auths if a.id == form.authorisation_id.data), None)
        if auth is None:
            abort(404)
        site = next((s for s in sites if s.id == form.site_id.data), None)
        return service.create_batch(
            db.session, auth, method=form.method.data, contractor=form.contractor.data,
            contractor_licence=form.contractor_licence.data, place=form.place.data,
            destroyed_on=form.destroyed_on.data, weight_kg=form.weight_kg.data, site=site,
            by=current_user)

    return perform(create, form=form,
                   render=lambda: render_template("destruction/batch_form.html", form=form),
                   success=_("Batch created: add the kits to destroy."), next_url=_url)


def render_batch(batch, kits=None, witness=None, execute=None, upload=None, devices=None):
    """Show a batch with its items, forms, signatures and history."""
    session = db.session
    items = session.scalars(service.items_of(session, batch)
                            .where(DestructionItem.kind == "kit").limit(ITEMS_SHOWN)).all()
    open_devices = (session.execute(batch_devices.covered_devices(session, batch)
                                    .limit(ITEMS_SHOWN)).all()
                    if batch.status == "draft" else [])
    signed = {s.meaning for s in signatures_for(db.session, batch)}
    if witness is None and batch.status == "draft" and "witnessed_destruction" not in signed \
            and service.may_sign(current_user, batch, "destruction.witness"):
        witness = SignForm(meaning="witnessed_destruction")
    if execute is None and batch.status == "witnessed" and batch.witness_id != current_user.id \
            and service.may_sign(current_user, batch, "destruction.execute"):
        execute = SignForm(meaning="performed")
    return render_template(
        "destruction/batch.html", batch=batch, items=items, shown=ITEMS_SHOWN,
        kits=kits or KitsForm(), witness=witness, execute=execute,
        devices=devices or DevicesForm(), device_rows=batch_devices.device_rows(session, batch),
        counts=batch_devices.counts(session, batch), open_devices=open_devices,
        device_refusal=batch_devices.scope_refusal(batch),
        upload=upload or UploadForm(), signatures=signatures_for(db.session, batch),
        history=history_of(db.session, batch), sites=_logs_shown(batch))


def _logs_shown(batch):
    """Return the batch's sites whose accountability log (its final disposition) the user sees."""
    if batch.status != "executed" or not current_user.can("accountability.view"):
        return []
    return [s for s in batch_sites(db.session, batch)
            if can_see_site(current_user, s, "accountability.view")]


@bp.route("/batches/<int:batch_id>")
@require("destruction.view")
def show_batch(batch_id):
    """Show a destruction batch."""
    return render_batch(batch_or_404(batch_id))


@bp.route("/batches/<int:batch_id>/items.xlsx")
@require("destruction.view")
def batch_items_excel(batch_id):
    """The batch's kits and devices as an Excel workbook (one sheet each)."""
    from app.destruction.exports import batch_sheets
    from app.exports.excel import xlsx_response

    batch = batch_or_404(batch_id)
    return xlsx_response(f"{batch.number}.xlsx", batch_sheets(db.session, batch))


@bp.route("/batches/<int:batch_id>/kits", methods=["POST"])
@require("destruction.manage")
def add_batch_kits(batch_id):
    """Add the kits typed (or every covered kit) to a draft batch."""
    return _add_items(batch_or_404(batch_id), KitsForm(), "kit_numbers", service.add_kits,
                      "kits", lambda n: _("%(n)s kits added.", n=n))


@bp.route("/batches/<int:batch_id>/devices", methods=["POST"])
@require("destruction.manage")
def add_batch_devices(batch_id):
    """Add the device serials scanned (or every covered device) to a draft batch."""
    return _add_items(batch_or_404(batch_id), DevicesForm(), "serials",
                      batch_devices.add_devices, "devices",
                      lambda n: _("%(n)s devices added.", n=n))


def _add_items(batch, form, field, add, form_name, success):
    """Add the references typed one per line (none: every covered item) through add()."""
    lines = [n for n in (getattr(form, field).data or "").splitlines() if n.strip()]
    return perform(lambda: add(db.session, batch, lines), form=form,
                   render=lambda: render_batch(batch, **{form_name: form}),
                   success=success, next_url=_url(batch))


@bp.route("/batches/<int:batch_id>/witness", methods=["POST"])
@require("destruction.view")
def witness_batch(batch_id):
    """The witness signs the batch (who may: services/batches.py may_sign)."""
    batch = batch_or_404(batch_id)
    form = SignForm()
    return perform(lambda: service.witness(db.session, batch, signer=current_user,
                                           password=form.password.data),
                   form=form, render=lambda: render_batch(batch, witness=form),
                   success=_("Signed as witness."), next_url=_url(batch))


@bp.route("/batches/<int:batch_id>/execute", methods=["POST"])
@require("destruction.view")
def execute_batch(batch_id):
    """The responsible person signs and every kit becomes destroyed, all or nothing."""
    batch = batch_or_404(batch_id)
    form = SignForm()
    return perform(lambda: service.execute(db.session, batch, signer=current_user,
                                           password=form.password.data),
                   form=form, render=lambda: render_batch(batch, execute=form),
                   success=_("Batch executed: every kit and device is recorded as destroyed. "
                             "Prepare the certificate."), next_url=_url(batch, "#certificate"))


@bp.route("/batches/<int:batch_id>/site-certificate", methods=["POST"])
@require("destruction.onsite")
def upload_site_certificate(batch_id):
    """Keep the hospital's own certificate of an on-site destruction."""
    batch = batch_or_404(batch_id)
    form = UploadForm()

    def upload():
        data = form.document.data
        return service.upload_site_certificate(db.session, batch, data.read(), data.filename,
                                               by=current_user)

    return perform(upload, form=form, render=lambda: render_batch(batch, upload=form),
                   success=_("Hospital's certificate kept."), next_url=_url(batch))


@bp.route("/batches/<int:batch_id>/site-certificate")
@require("destruction.view")
def site_certificate(batch_id):
    """Open the hospital's own certificate."""
    batch = batch_or_404(batch_id)
    if batch.site_certificate is None:
        abort(404)
    return send_stored_file(batch.site_certificate)


@bp.route("/batches/<int:batch_id>/certificate", methods=["GET", "POST"])
@require("destruction.view")
def certificate(batch_id):
    """Download the certificate; a POST prepares it as a background job (once)."""
    from app.jobs.services import enqueue, start_job

    batch = batch_or_404(batch_id)
    if batch.certificate is not None:
        return send_stored_file(batch.certificate, as_attachment=True)
    from flask import request

    if request.method == "GET":
        abort(404)

    def launched(job):
        enqueue(db.session, job)
        flash(_("The certificate is being prepared; you will get a notice when it is ready."),
              "success")
        return redirect(url_for("jobs.show", job_id=job.id))

    def start():
        if batch.status != "executed":
            from app.core.errors import DomainError

            raise DomainError(_("A certificate is issued once the batch has been executed."))
        return start_job(db.session, current_user, "destruction_certificate",
                         {"batch_id": batch.id}, batch.item_count)

    return perform(start, success=None, next_url=_url(batch, "#certificate"),
                   respond=launched)


@bp.route("/batches/<int:batch_id>/send", methods=["POST"])
@require("destruction.manage")
def send_certificate(batch_id):
    """Send the certificate to the sponsor (through the e-mail outbox)."""
    batch = batch_or_404(batch_id)
    return perform(lambda: send_to_sponsor(db.session, batch, _url(batch), by=current_user),
                   success=_("Certificate queued for the sponsor in the e-mail outbox."),
                   next_url=_url(batch, "#certificate"))
