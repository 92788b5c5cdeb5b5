"""Logger data of a shipment: read into a preview, keep on confirmation, chart, original file."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.coldchain.forms import parse_options, refusal_details
from app.coldchain.logger import MAX_LOGGER_BYTES, LoggerFileError, check_size
from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.core.templating import number
from app.extensions import db
from app.files import staging as logger_staging
from app.files.services import send_stored_file
from app.shipments import bp
from app.shipments.forms import LoggerForm
from app.shipments.models import LoggerUpload
from app.shipments.services.logger import attach_logger_file, chart_data, preview_logger_file
from app.shipments.views.orders import shipment_or_404, shipment_url


def _stored(result):
    upload, report = result
    if report.has_excursion:
        flash(_("Logger data stored: %(n)s readings, %(e)s excursions, %(m)s minutes out of "
                "range. Logistics and QA have been told.", n=upload.reading_count,
                e=len(report.excursions), m=number(report.minutes_out, 1)), "warning")
        return None
    return _("Logger data stored: %(n)s readings, all within %(low)s to %(high)s °C.",
             n=number(upload.reading_count), low=number(report.low_c, 1),
             high=number(report.high_c, 1))


def _form_page(shipment, form, refused=None, preview=None):
    """Render the upload form; after a refused file, its bad lines and the columns found;
    after a good one, the preview to confirm."""
    return render_template("shipments/logger_form.html", shipment=shipment, form=form,
                           preview=preview, **refusal_details(refused))


@bp.route("/<int:shipment_id>/logger", methods=["GET", "POST"])
@require("shipments.logger")
def upload_logger(shipment_id):
    """Read a logger export into a preview; keep it only when the user confirms it.

    Every bad line is listed and nothing is kept from a bad file; a file whose dates fit both
    day-first and month-first asks for the order.
    """
    shipment = shipment_or_404(shipment_id)
    form = LoggerForm()
    if request.method == "GET":
        if shipment.logger_ids:
            form.logger_serial.data = shipment.logger_ids.split(",")[0].strip()[:60]
        form.timezone.data = current_app.config["LOGGER_TIMEZONE"]
        return _form_page(shipment, form)
    storing = request.form.get("action") == "store"
    state = {}

    def read():
        data, filename = logger_staging.incoming(form, current_user.id, shipment.id,
                                                  MAX_LOGGER_BYTES, check_size)
        state["data"] = data
        options = parse_options(form, current_app.config["LOGGER_TIMEZONE"])
        try:
            if storing and form.previewed.data == logger_staging.fingerprint(data, options):
                result = attach_logger_file(db.session, shipment, data, filename=filename,
                                            serial=form.logger_serial.data, options=options,
                                            by=current_user,
                                            accept_reason=form.accept_reason.data)
                logger_staging.drop(form.staged.data, current_user.id, shipment.id)
                return result
            parsed, report, _kept = preview_logger_file(
                shipment, data, options, serial=form.logger_serial.data, by=current_user,
                accept_reason=form.accept_reason.data)
        except LoggerFileError as error:
            state["error"] = error
            raise
        if not form.logger_serial.data and parsed.serial:
            form.logger_serial.data = parsed.serial[:60]
        form.previewed.data = logger_staging.fingerprint(data, options)
        state["preview"] = {"parsed": parsed, "report": report, "changed": storing,
                            "zone": ZoneInfo(parsed.timezone)}
        return None

    def respond(result):
        if result is None:
            return _form_page(shipment, form, preview=state["preview"])
        message = _stored(result)
        if message:
            flash(message, "success")
        return redirect(shipment_url(shipment, "#temperature"))

    return perform(read, form=form, default_field="file", success=None, respond=respond,
                   render=lambda: _form_page(shipment, form, state),
                   next_url=shipment_url(shipment, "#temperature"))


def _upload_or_404(shipment, upload_id):
    upload = get_or_404(LoggerUpload, upload_id)
    if upload.shipment_id != shipment.id:
        abort(404)
    return upload


@bp.route("/<int:shipment_id>/logger/<int:upload_id>/chart.json")
@require("shipments.view")
def logger_chart(shipment_id, upload_id):
    """Return the chart data of one logger file."""
    shipment = shipment_or_404(shipment_id)
    return jsonify(chart_data(db.session, _upload_or_404(shipment, upload_id)))


@bp.route("/<int:shipment_id>/logger/<int:upload_id>/file")
@require("shipments.view")
def logger_file(shipment_id, upload_id):
    """Download the logger file as it was uploaded."""
    shipment = shipment_or_404(shipment_id)
    return send_stored_file(_upload_or_404(shipment, upload_id).stored_file,
                            as_attachment=True)
