"""Calibration plans, records (entry, signatures, certificate PDF) and the due list."""


from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core import clock
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.queries import get_or_404
from app.devices import bp
from app.devices.exports import certificate_pdf, due_sheet, due_statement
from app.devices.forms import PlanForm, RecordForm, RecordSignForm
from app.devices.models import CalibrationPlan, CalibrationRecord
from app.devices.queries import due_filters, due_plans
from app.devices.services import calibration as service
from app.devices.views.devices import device_or_404
from app.esign.services import signatures_for
from app.exports.excel import xlsx_response
from app.exports.pdf import pdf_response
from app.extensions import db
from app.files.services import FileRefused, send_stored_file, store_bytes
from app.trials.api import site_choices

PDF_LIMIT = 10 * 1024 * 1024


def parse_tolerances(text):
    """Return [(quantity, unit, Decimal)] from 'quantity; unit; tolerance' lines."""
    from decimal import Decimal, InvalidOperation

    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        try:
            if len(parts) != 3 or not parts[0]:
                raise InvalidOperation
            value = Decimal(parts[2].replace(",", "."))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise DomainError(_("Line %(n)s: write quantity; unit; tolerance.", n=number),
                              "tolerances") from None
        rows.append((parts[0], parts[1], value))
    return rows


@bp.route("/<int:device_id>/plans/new", methods=["GET", "POST"])
@require("devices.calibrate")
def new_plan(device_id):
    """Add a calibration plan to a device."""
    device = device_or_404(device_id, "devices.calibrate")
    form = PlanForm()
    return perform(lambda: service.save_plan(
        db.session, device, name=form.name.data, interval_days=form.interval_days.data,
        warn_days=form.warn_days.data, procedure=form.procedure.data,
        lab_kind=form.lab_kind.data, lab_name=form.lab_name.data,
        first_due=form.first_due.data, tolerances=parse_tolerances(form.tolerances.data)),
        form=form, success=_("Calibration plan saved."),
        next_url=url_for("devices.show_device", device_id=device.id),
        render=lambda: render_template("devices/plan_form.html", form=form, device=device))


def _points(form):
    return [service.PointInput(p.quantity.data or "", p.nominal.data, p.as_found.data,
                               p.as_left.data, p.uncertainty.data, p.k.data)
            for p in form.points if any(
                f.data not in (None, "") for f in (p.quantity, p.nominal, p.as_found, p.as_left,
                                                   p.uncertainty, p.k))]


def _store_certificate(form):
    upload = form.certificate_file.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return store_bytes(db.session, upload.read(), original_name=upload.filename,
                           allowed_types={"application/pdf"}, max_bytes=PDF_LIMIT,
                           uploaded_by=current_user).id
    except FileRefused as error:
        raise DomainError(str(error), "certificate_file") from None


@bp.route("/plans/<int:plan_id>/records/new", methods=["GET", "POST"])
@require("devices.calibrate")
def new_record(plan_id):
    """Enter a calibration record against a plan (a draft until signed)."""
    plan = get_or_404(CalibrationPlan, plan_id)
    device = device_or_404(plan.device_id, "devices.calibrate")
    form = RecordForm()
    if request.method == "GET":
        form.lab_name.data = form.lab_name.data or plan.lab_name
        form.method.data = form.method.data or plan.procedure
        for row, tolerance in zip(form.points, plan.tolerances, strict=False):
            row.quantity.data = row.quantity.data or tolerance.quantity

    def record():
        fields = {name: getattr(form, name).data for name in (
            "certificate_number", "customer", "lab_name", "lab_address", "accreditation_body",
            "accreditation_number", "performed_at_place", "method", "deviations",
            "condition_on_receipt", "received_on", "calibrated_on", "issued_on",
            "temperature_c", "humidity_pct", "environment_note", "decision_rule", "opinion")}
        standards = [s.strip() for s in (form.standards.data or "").split(",") if s.strip()]
        created = service.record_calibration(db.session, plan, points=_points(form),
                                             standards=standards, by=current_user, **fields)
        created.certificate_file_id = _store_certificate(form)
        db.session.flush()
        return created

    return perform(record, form=form, success=_("Calibration record saved as a draft."),
                   next_url=lambda r: url_for("devices.show_record", record_id=r.id),
                   render=lambda: render_template("devices/record_form.html", form=form,
                                                  plan=plan, device=device))


@bp.route("/records")
@require("devices.view")
def list_records():
    """Calibration records, filtered by state (?status=performed: waiting for authorisation)."""
    from app.core.listing import build_listing, where_choice_args
    from app.devices.models import RECORD_STATES, Device
    from app.devices.queries import visible_devices

    stmt = where_choice_args(
        select(CalibrationRecord).where(CalibrationRecord.device_id.in_(
            visible_devices(current_user).with_only_columns(Device.id))),
        request.args, {"status": (CalibrationRecord.status, RECORD_STATES)})
    listing = build_listing(stmt, sorts={"calibrated": CalibrationRecord.calibrated_on,
                                         "number": CalibrationRecord.certificate_number},
                            default_sort="-calibrated",
                            search_columns=(CalibrationRecord.certificate_number,))
    return render_template("devices/records.html", listing=listing)


def record_or_404(record_id):
    """Return a record of a device the user may see, or 404."""
    record = get_or_404(CalibrationRecord, record_id)
    device_or_404(record.device_id)
    return record


def _sign_meaning(record):
    if record.status == "draft" and current_user.can("devices.calibrate"):
        return "performed"
    if record.status == "performed" and current_user.can("devices.authorise"):
        return "approved"
    return None


def render_record(record, form=None):
    """Render a calibration record with its points, standards, signatures and history."""
    meaning = _sign_meaning(record)
    if form is None and meaning:
        form = RecordSignForm(meaning=meaning)
    return render_template("devices/record.html", record=record, sign_form=form,
                           meaning=meaning, signatures=signatures_for(db.session, record),
                           entries=history_of(db.session, record))


@bp.route("/records/<int:record_id>")
@require("devices.view")
def show_record(record_id):
    """A calibration record."""
    return render_record(record_or_404(record_id))


@bp.route("/records/<int:record_id>/sign", methods=["POST"])
@require("devices.view")
def sign_record(record_id):
    """The performer signs (performed), another person authorises (approved)."""
    record = record_or_404(record_id)
    form = RecordSignForm()

    def sign():
        if form.meaning.data == "performed":
            return service.perform(db.session, record, signer=current_user,
                                   password=form.password.data)
        if form.meaning.data == "approved":
            return service.authorise(db.session, record, signer=current_user,
                                     password=form.password.data)
        raise DomainError(_("This record cannot be signed with that meaning by you now."))

    return perform(sign, form=form, success=_("Calibration record signed."),
                   next_url=url_for("devices.show_record", record_id=record.id),
                   render=lambda: render_record(record, form))


@bp.route("/records/<int:record_id>/certificate.pdf")
@require("devices.view")
def record_pdf(record_id):
    """The calibration certificate (ISO/IEC 17025 7.8.2.1 and 7.8.4.1)."""
    record = record_or_404(record_id)
    data = certificate_pdf(db.session, record, signatures_for(db.session, record))
    return pdf_response(f"certificate-{record.certificate_number}.pdf", data)


@bp.route("/records/<int:record_id>/external.pdf")
@require("devices.view")
def record_file(record_id):
    """The external laboratory's own certificate file."""
    record = record_or_404(record_id)
    if record.certificate_file_id is None:
        abort(404)
    from app.files.models import StoredFile

    return send_stored_file(db.session.get(StoredFile, record.certificate_file_id))


def _due_args():
    return due_filters(request.args)


@bp.route("/due")
@require("devices.view")
def due_list():
    """Calibrations due soon and overdue, with filters."""
    from app.core.listing import build_listing

    today = clock.today()
    args = _due_args()
    stmt = due_plans(current_user, today, **args)
    listing = build_listing(stmt,
                            sorts={"due": CalibrationPlan.next_due, "name": CalibrationPlan.name},
                            default_sort="due")
    return render_template("devices/due.html", listing=listing, args=args, today=today,
                           sites=site_choices(db.session, current_user))


@bp.route("/due.xlsx", methods=["GET", "POST"])
@require("devices.view")
def due_xlsx():
    """The due list as Excel, with the filters of the screen (a background job when large)."""
    from app.jobs.views import export_or_job  # here: app.jobs imports every domain's models

    params = {key: value for key, value in request.args.items() if key not in ("page", "sort")}
    params["on"] = clock.today().isoformat()  # the job counts overdue days from this day
    return export_or_job("calibrations_due", params, lambda: xlsx_response(
        "calibrations-due.xlsx", [due_sheet(db.session, *due_statement(current_user,
                                                                          params))]))
