"""Logger files of a shipment, their excursions, kit exposure and the QA decision."""

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from app.auth.services import password_matches
from app.core.models import utcnow
from app.esign.services import sign
from app.files.services import FileRefused, store_bytes
from app.shipments.excursions import analyse, downsample
from app.shipments.logger import MAX_LOGGER_BYTES, LoggerFileError, parse_logger_csv
from app.shipments.models import (
    LoggerReading,
    LoggerUpload,
    QaDecision,
    ShipmentExcursion,
    ShipmentKit,
)
from app.shipments.notices import shipment_link, tell, users_with_roles
from app.shipments.services import ShipmentError
from app.shipments.stock_bridge import move_shipment_kits, storage_range

UPLOAD_STATUSES = ("shipped", "delivered")


def shipped_kits(shipment):
    """Return the kits that left on the shipment."""
    return [line.kit for line in shipment.lines if line.status == "picked"]


def attach_logger_file(session, shipment, data, *, filename, serial, options=None, by=None):
    """Check, analyse and keep a logger file; nothing is stored when any check fails."""
    serial = (serial or "").strip()
    if shipment.status not in UPLOAD_STATUSES:
        raise ShipmentError(_("Logger data is added once the shipment has left and before it "
                              "is received."), "file")
    if not serial or len(serial) > 60:
        raise ShipmentError(_("Give the logger id (at most 60 characters)."), "logger_serial")
    if any(u.logger_serial.lower() == serial.lower() for u in shipment.logger_uploads):
        raise ShipmentError(_("Data of logger %(id)s is already attached to this shipment.",
                              id=serial), "logger_serial")
    limits = storage_range(shipped_kits(shipment))
    if limits is None:
        raise ShipmentError(_("The shipment has no kits, so there is no storage range to "
                              "check the readings against."), "file")
    parsed = parse_logger_csv(data, options)
    report = analyse(parsed.times, parsed.temperatures, *limits)
    try:
        stored = store_bytes(session, data, original_name=filename, allowed_types={"text/csv"},
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
        timezone=parsed.timezone)
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
        _tell_excursion(session, shipment, upload, report)
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


def _tell_excursion(session, shipment, upload, report):
    tell(session, users_with_roles(session, ("logistics", "qp")),
         lambda: (_("Temperature excursion on shipment %(n)s", n=shipment.number),
                  _("Logger %(logger)s of shipment %(n)s was outside %(low)s to %(high)s °C "
                    "for %(minutes)s minutes in %(count)s excursions (lowest %(min)s °C, "
                    "highest %(max)s °C). The kits will be quarantined on receipt until QA "
                    "decides.", logger=upload.logger_serial, n=shipment.number,
                    low=report.low_c, high=report.high_c, minutes=report.minutes_out,
                    count=len(report.excursions), min=report.min_c, max=report.max_c)),
         shipment_link(shipment))


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
    t, v = downsample(times, temps, max_points)
    return {
        "logger": upload.logger_serial, "low": upload.low_c, "high": upload.high_c,
        "points": [[int(x.timestamp() * 1000), y] for x, y in zip(t, v, strict=True)],
        "excursions": [[int(e.started_at.timestamp() * 1000),
                        int(e.ended_at.timestamp() * 1000)] for e in upload.excursions],
    }


def kit_minutes_out(session, kit_ids):
    """Return {kit id: cumulative minutes out of range over all its shipments}."""
    if not kit_ids:
        return {}
    return {kit_id: round(float(total or 0), 1) for kit_id, total in session.execute(
        select(ShipmentKit.kit_id, func.sum(ShipmentKit.minutes_out))
        .where(ShipmentKit.kit_id.in_(kit_ids)).group_by(ShipmentKit.kit_id))}


def pending_lines(shipment):
    """Return the quarantined lines still waiting for a QA decision."""
    return [line for line in shipment.lines if line.quarantined and line.qa_outcome is None]


def check_password_first(session, record, *, meaning, signer, password):
    """Stop before anything is made when the password is wrong or signing is locked.

    esign's sign() records the failed attempt (and any lock) against record and raises, so
    the view can commit the failure while the decision it would have made never exists.
    """
    locked = signer.signing_locked_until and signer.signing_locked_until > utcnow()
    if locked or not password_matches(signer, password):
        sign(session, record, meaning=meaning, signer=signer, password=password)


def decide_on_kits(session, shipment, line_ids, decision, reason, *, signer, password):
    """Release or reject quarantined kits with a reason and the QA signer's e-signature."""
    if decision not in ("released", "rejected"):
        raise ShipmentError(_("Choose release or reject."), "decision")
    if not signer.can("shipments.decide"):
        raise ShipmentError(_("Only QA may decide on kits after an excursion."))
    reason = (reason or "").strip()
    if not reason:
        raise ShipmentError(_("Give the reason for the decision."), "reason")
    wanted = set(line_ids or ())
    lines = [line for line in pending_lines(shipment) if line.id in wanted]
    if not lines:
        raise ShipmentError(_("Choose at least one kit waiting for a decision."), "kits")
    check_password_first(session, shipment, meaning=decision, signer=signer,
                         password=password)
    record = QaDecision(shipment_id=shipment.id, decision=decision, reason=reason,
                        decided_by_id=signer.id)
    record.shipment = shipment
    record.lines = lines
    session.add(record)
    session.flush()
    sign(session, record, meaning=decision, signer=signer, password=password)
    kits = [line.kit for line in lines]
    if decision == "released":
        move_shipment_kits(session, kits, "available", "release", by=signer,
                           document_ref=shipment.number, reason=reason)
    else:
        move_shipment_kits(session, kits, "pending_destruction", "adjustment", by=signer,
                           document_ref=shipment.number, reason=reason)
    for line in lines:
        line.qa_outcome = decision
    shipment.qa_pending = bool(pending_lines(shipment))
    session.flush()
    return record

