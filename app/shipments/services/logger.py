"""Logger files of a shipment: check, judge against the kits' band, keep, chart, exposure."""

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from app.coldchain.chart import chart_series
from app.coldchain.excursions import analyse
from app.coldchain.logger import MAX_LOGGER_BYTES, LoggerFileError, parse_logger_csv
from app.core.errors import DomainError
from app.files.services import FileRefused, store_bytes
from app.shipments.models import LoggerReading, LoggerUpload, ShipmentExcursion, ShipmentKit
from app.shipments.services.notices import tell_excursion
from app.shipments.services.plausibility import check_journey, check_logger_serial
from app.shipments.services.stock_bridge import shipped_kits, storage_range

UPLOAD_STATUSES = ("shipped", "delivered")


LOGGER_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def preview_logger_file(shipment, data, options=None, *, serial=None, by=None,
                        accept_reason=None):
    """Return (parsed readings, excursion report, reason kept) of a file, keeping nothing.

    The file must be of this shipment: its logger (when it names one) and its period (unless
    a QA user accepts readings outside the journey with a reason).
    """
    if shipment.status not in UPLOAD_STATUSES:
        raise DomainError(_("Logger data is added once the shipment has left and before it "
                            "is received."), "file")
    limits = storage_range(shipped_kits(shipment))
    if limits is None:
        raise DomainError(_("The shipment has no kits, so there is no storage range to "
                            "check the readings against."), "file")
    parsed = parse_logger_csv(data, options)
    check_logger_serial(shipment, (serial or "").strip(), data, parsed)
    accept_reason = check_journey(shipment, parsed.times, by, accept_reason)
    return parsed, analyse(parsed.times, parsed.temperatures, *limits), accept_reason


def attach_logger_file(session, shipment, data, *, filename, serial, options=None, by=None,
                       accept_reason=None):
    """Check, analyse and keep a logger file; nothing is stored when any check fails.

    Readings outside the shipment's journey are refused unless a QA user accepts the file
    with a reason; a logger serial the file names must be a logger of the shipment.
    """
    serial = (serial or "").strip()
    if shipment.status not in UPLOAD_STATUSES:
        raise DomainError(_("Logger data is added once the shipment has left and before it "
                            "is received."), "file")
    if not serial or len(serial) > 60:
        raise DomainError(_("Give the logger id (at most 60 characters)."), "logger_serial")
    if any(u.logger_serial.lower() == serial.lower() for u in shipment.logger_uploads):
        raise DomainError(_("Data of logger %(id)s is already attached to this shipment.",
                            id=serial), "logger_serial")
    parsed, report, accept_reason = preview_logger_file(
        shipment, data, options, serial=serial, by=by, accept_reason=accept_reason)
    try:
        stored = store_bytes(session, data, original_name=filename, allowed_types=LOGGER_TYPES,
                             max_bytes=MAX_LOGGER_BYTES, uploaded_by=by)
    except FileRefused as error:
        raise LoggerFileError(str(error)) from error
    upload = LoggerUpload(
        shipment_id=shipment.id, logger_serial=serial, stored_file_id=stored.id,
        file_sha256=stored.sha256, uploaded_by_id=by.id if by else None,
        reading_count=parsed.count, first_at=report.first_at, last_at=report.last_at,
        min_c=report.min_c, max_c=report.max_c, low_c=report.low_c, high_c=report.high_c,
        minutes_out=report.minutes_out, delimiter=parsed.delimiter, unit=parsed.unit,
        decimal_comma=parsed.decimal_comma, time_format=parsed.time_format,
        timezone=parsed.timezone, accepted_reason=accept_reason,
        accepted_by_id=by.id if accept_reason and by is not None else None)
    upload.shipment = shipment
    session.add(upload)
    session.flush()
    store_readings(session, upload.id, parsed.times, parsed.temperatures)
    for e in report.excursions:
        session.add(ShipmentExcursion(
            upload_id=upload.id, shipment_id=shipment.id, started_at=e.started_at,
            ended_at=e.ended_at, minutes=e.minutes, min_c=e.min_c, max_c=e.max_c,
            direction=e.direction))
    if report.minutes_out > (shipment.minutes_out or 0):
        shipment.minutes_out = report.minutes_out
    session.flush()
    session.refresh(shipment, ["logger_uploads"])
    if report.has_excursion:
        tell_excursion(session, shipment, upload, report)
    return upload, report


def store_readings(session, upload_id, times, temperatures):
    """Insert the readings in bulk: COPY on PostgreSQL, one executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # 100,000 rows by COPY take a fraction of the INSERT time; same transaction.
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                "COPY logger_readings (upload_id, taken_at, temperature_c) FROM STDIN") as copy:
            for moment, value in zip(times, temperatures, strict=True):
                copy.write_row((upload_id, moment, value))
        return
    session.execute(insert(LoggerReading), [
        {"upload_id": upload_id, "taken_at": t, "temperature_c": v}
        for t, v in zip(times, temperatures, strict=True)])


def has_excursion(shipment):
    """Return True when any logger of the shipment went out of range."""
    return any(u.minutes_out > 0 for u in shipment.logger_uploads)


def readings_of(session, upload):
    """Return (times, temperatures) of an upload in time order."""
    rows = session.execute(select(LoggerReading.taken_at, LoggerReading.temperature_c)
                           .where(LoggerReading.upload_id == upload.id)
                           .order_by(LoggerReading.taken_at)).all()
    return [r[0] for r in rows], [r[1] for r in rows]


def chart_data(session, upload, max_points=1500):
    """Return the chart's JSON: thinned curve, allowed band and excursion periods."""
    times, temps = readings_of(session, upload)
    return {"logger": upload.logger_serial, **chart_series(
        times, temps, upload.low_c, upload.high_c,
        [(e.started_at, e.ended_at) for e in upload.excursions], max_points)}


def kit_minutes_out(session, kit_ids):
    """Return {kit id: cumulative minutes out of range over all its shipments}."""
    if not kit_ids:
        return {}
    return {kit_id: round(float(total or 0), 1) for kit_id, total in session.execute(
        select(ShipmentKit.kit_id, func.sum(ShipmentKit.minutes_out))
        .where(ShipmentKit.kit_id.in_(kit_ids)).group_by(ShipmentKit.kit_id))}
