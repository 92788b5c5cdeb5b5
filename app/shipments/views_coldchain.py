"""Logger data, the chart, receipt at the destination, QA decisions, discrepancies."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.permissions import require
from app.core.views_helpers import attach_error, get_or_404
from app.extensions import db
from app.files.services import send_stored_file
from app.shipments import bp
from app.shipments.coldchain import attach_logger_file, chart_data, decide_on_kits, pending_lines
from app.shipments.forms import DecisionForm, LoggerForm, ReceiptScanForm, ReceiveForm, ResolveForm
from app.shipments.logger import LoggerFileError, ParseOptions, read_options_from_text
from app.shipments.models import Discrepancy, LoggerUpload
from app.shipments.receipt import receive_shipment, resolve_discrepancy, scan_at_receipt
from app.shipments.services import ShipmentError
from app.shipments.views import visible_shipment_or_404
from app.shipments.views_flow import run

DELIMITER_CHOICES = {"comma": ",", "semicolon": ";", "tab": "\t"}


def _options(form):
    return ParseOptions(
        delimiter=DELIMITER_CHOICES.get(form.delimiter.data),
        timestamp_column=form.timestamp_column.data or None,
        temperature_column=form.temperature_column.data or None,
        decimal_comma={"comma": True, "point": False}.get(form.decimal.data),
        unit=form.unit.data or None, time_format=form.time_format.data or None,
        timezone=form.timezone.data or "UTC")


@bp.route("/<int:shipment_id>/logger", methods=["GET", "POST"])
@require("shipments.logger")
def upload_logger(shipment_id):
    """Upload a logger's CSV; every bad line is listed and nothing is kept from a bad file."""
    shipment = visible_shipment_or_404(shipment_id)
    form = LoggerForm()
    problems, total, columns = [], 0, None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            upload, report = attach_logger_file(
                db.session, shipment, data, filename=form.file.data.filename,
                serial=form.logger_serial.data, options=_options(form), by=current_user)
        except LoggerFileError as error:
            db.session.rollback()
            form.file.errors = [error.message]
            problems, total = error.problems, error.total
            if len(data) <= 10 * 1024 * 1024:
                columns = (read_options_from_text(data) or {}).get("columns")
        except ShipmentError as error:
            db.session.rollback()
            attach_error(form, error, "file")
        else:
            db.session.commit()
            if report.has_excursion:
                flash(_("Logger data stored: %(n)s readings, %(e)s excursions, %(m)s minutes "
                        "out of range. Logistics and QA have been told.", n=upload.reading_count,
                        e=len(report.excursions), m=report.minutes_out), "warning")
            else:
                flash(_("Logger data stored: %(n)s readings, all within %(low)s to %(high)s °C.",
                        n=upload.reading_count, low=report.low_c, high=report.high_c),
                      "success")
            return redirect(url_for("shipments.show_shipment", shipment_id=shipment.id)
                            + "#temperature")
    elif request.method == "GET" and shipment.logger_ids:
        form.logger_serial.data = shipment.logger_ids.split(",")[0].strip()[:60]
    return render_template("shipments/logger_form.html", shipment=shipment, form=form,
                           problems=problems, total=total, columns=columns)


def _upload_or_404(shipment, upload_id):
    upload = get_or_404(LoggerUpload, upload_id)
    if upload.shipment_id != shipment.id:
        abort(404)
    return upload


@bp.route("/<int:shipment_id>/logger/<int:upload_id>/chart.json")
@require("shipments.view")
def logger_chart(shipment_id, upload_id):
    """Return the chart data of one logger file."""
    shipment = visible_shipment_or_404(shipment_id)
    return jsonify(chart_data(db.session, _upload_or_404(shipment, upload_id)))


@bp.route("/<int:shipment_id>/logger/<int:upload_id>/file")
@require("shipments.view")
def logger_file(shipment_id, upload_id):
    """Download the logger file as it was uploaded."""
    shipment = visible_shipment_or_404(shipment_id)
    return send_stored_file(_upload_or_404(shipment, upload_id).stored_file,
                            as_attachment=True)


@bp.route("/<int:shipment_id>/receive/scan", methods=["POST"])
@require("shipments.receive")
def receipt_scan(shipment_id):
    """Record one kit found in the boxes."""
    shipment = visible_shipment_or_404(shipment_id)
    form = ReceiptScanForm()
    return run(shipment, lambda: scan_at_receipt(db.session, shipment, form.kit_number.data,
                                                 form.outcome.data, by=current_user),
               lambda line: _("Kit %(kit)s: %(outcome)s.", kit=line.kit.kit_number,
                              outcome=_("damaged") if line.receipt_outcome == "damaged"
                              else _("good condition")), "#receipt", form)


@bp.route("/<int:shipment_id>/receive", methods=["POST"])
@require("shipments.receive")
def receive(shipment_id):
    """Sign the receipt."""
    shipment = visible_shipment_or_404(shipment_id)
    form = ReceiveForm()
    return run(shipment, lambda: receive_shipment(
        db.session, shipment, by=current_user, password=form.password.data,
        logger_confirmed=form.logger_confirmed.data, comment=form.comment.data),
        lambda counts: _("Receipt signed: %(ok)s kits received, %(damaged)s damaged, "
                         "%(missing)s missing.", **counts), "#receipt", form)


@bp.route("/<int:shipment_id>/decide", methods=["POST"])
@require("shipments.decide")
def decide(shipment_id):
    """Release or reject quarantined kits with an e-signature."""
    shipment = visible_shipment_or_404(shipment_id)
    form = DecisionForm()
    form.kits.choices = [(line.id, line.kit.kit_number) for line in pending_lines(shipment)]
    decision = request.form.get("decision")
    return run(shipment, lambda: decide_on_kits(
        db.session, shipment, form.kits.data, decision, form.reason.data,
        signer=current_user, password=form.password.data),
        lambda record: _("%(n)s kits released: they are available again.", n=len(record.lines))
        if decision == "released" else
        _("%(n)s kits rejected: they are pending destruction.", n=len(record.lines)),
        "#decision", form)


@bp.route("/discrepancies/<int:discrepancy_id>/resolve", methods=["POST"])
@require("shipments.manage")
def resolve(discrepancy_id):
    """Close a discrepancy with its resolution."""
    item = get_or_404(Discrepancy, discrepancy_id)
    shipment = visible_shipment_or_404(item.shipment_id)
    form = ResolveForm()
    return run(shipment, lambda: resolve_discrepancy(db.session, item, form.resolution.data,
                                                     by=current_user),
               _("Discrepancy resolved."), "#discrepancies", form)
