"""Logger data of a shipment: upload (bad lines listed, nothing kept), chart, original file."""

from flask import abort, flash, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.coldchain.logger import (
    MAX_LOGGER_BYTES,
    LoggerFileError,
    ParseOptions,
    read_options_from_text,
)
from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.files.services import send_stored_file
from app.shipments import bp
from app.shipments.forms import LoggerForm
from app.shipments.models import LoggerUpload
from app.shipments.services.logger import attach_logger_file, chart_data
from app.shipments.views.orders import shipment_or_404, shipment_url

DELIMITER_CHOICES = {"comma": ",", "semicolon": ";", "tab": "\t"}


def _options(form):
    return ParseOptions(
        delimiter=DELIMITER_CHOICES.get(form.delimiter.data),
        timestamp_column=form.timestamp_column.data or None,
        temperature_column=form.temperature_column.data or None,
        decimal_comma={"comma": True, "point": False}.get(form.decimal.data),
        unit=form.unit.data or None, time_format=form.time_format.data or None,
        timezone=form.timezone.data or "UTC")


def _stored(result):
    upload, report = result
    if report.has_excursion:
        flash(_("Logger data stored: %(n)s readings, %(e)s excursions, %(m)s minutes out of "
                "range. Logistics and QA have been told.", n=upload.reading_count,
                e=len(report.excursions), m=report.minutes_out), "warning")
        return None
    return _("Logger data stored: %(n)s readings, all within %(low)s to %(high)s °C.",
             n=upload.reading_count, low=report.low_c, high=report.high_c)


def _form_page(shipment, form, refused=None):
    """Render the upload form; after a refused file, its bad lines and the columns found."""
    problems, total, columns = [], 0, None
    error = (refused or {}).get("error")
    if error is not None:
        problems, total = error.problems, error.total
        data = refused["data"]
        if len(data) <= MAX_LOGGER_BYTES:
            columns = (read_options_from_text(data) or {}).get("columns")
    return render_template("shipments/logger_form.html", shipment=shipment, form=form,
                           problems=problems, total=total, columns=columns)


@bp.route("/<int:shipment_id>/logger", methods=["GET", "POST"])
@require("shipments.logger")
def upload_logger(shipment_id):
    """Upload a logger's CSV; every bad line is listed and nothing is kept from a bad file."""
    shipment = shipment_or_404(shipment_id)
    form = LoggerForm()
    if request.method == "GET":
        if shipment.logger_ids:
            form.logger_serial.data = shipment.logger_ids.split(",")[0].strip()[:60]
        return _form_page(shipment, form)
    refused = {}

    def attach():
        data = form.file.data.read()
        try:
            return attach_logger_file(db.session, shipment, data,
                                      filename=form.file.data.filename,
                                      serial=form.logger_serial.data, options=_options(form),
                                      by=current_user, accept_reason=form.accept_reason.data)
        except LoggerFileError as error:
            refused.update(error=error, data=data)  # the page lists its bad lines
            raise

    return perform(attach, form=form, default_field="file", success=_stored,
                   render=lambda: _form_page(shipment, form, refused),
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
