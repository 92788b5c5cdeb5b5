"""A site fridge's logger file: read it as every logger file is read, find the excursions.

The coldchain parser reads the export exactly as for a shipment's logger (preview first,
bytes staged until confirmed); the periods out of range and the extremes come from the
readings against the storage range of the kits that were in the fridge. The file is kept as
uploaded in the file store.
"""

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app.coldchain.chart import chart_series
from app.coldchain.excursions import analyse
from app.coldchain.logger import MAX_LOGGER_BYTES, LoggerFileError, parse_logger_csv
from app.core.errors import DomainError
from app.core.models import utcnow
from app.files.services import FileRefused, store_bytes
from app.stock.models import StorageReading
from app.stock.services.storage import MAX_COMMENT, kits_and_band, record_excursion

LOGGER_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _when(moment):
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def preview_storage_file(session, location, data, options=None):
    """Return (parsed readings, excursion report, kits affected) of a file, keeping nothing."""
    parsed = parse_logger_csv(data, options)
    first, last = parsed.times[0], parsed.times[-1]
    if last > utcnow():
        raise DomainError(_("The file has readings in the future (the last is %(last)s). "
                            "Check the logger's clock and the zone of the times.",
                            last=_when(last)), "file")
    created = location.created_at
    if created is not None and first < created:
        raise DomainError(_("The file starts on %(first)s, before %(place)s was recorded "
                            "(%(date)s). Upload the readings of this location only.",
                            first=_when(first), place=location.name, date=_when(created)),
                          "file")
    _kits, band = kits_and_band(session, location, first, last, field="file")
    report = analyse(parsed.times, parsed.temperatures, *band)
    if not report.has_excursion:
        raise DomainError(_("The readings stay within %(low)s to %(high)s °C: there is no "
                            "excursion to report.", low=band[0], high=band[1]), "file")
    kits, _band = kits_and_band(session, location, report.excursions[0].started_at,
                                report.excursions[-1].ended_at, field="file")
    return parsed, report, kits


def report_from_logger(session, location, data, *, filename, options=None, comment=None,
                       by=None):
    """Check, analyse and keep a fridge logger file, and record its excursion."""
    parsed, report, kits = preview_storage_file(session, location, data, options)
    try:
        stored = store_bytes(session, data, original_name=filename, allowed_types=LOGGER_TYPES,
                             max_bytes=MAX_LOGGER_BYTES, uploaded_by=by)
    except FileRefused as error:
        raise LoggerFileError(str(error)) from error
    excursion = record_excursion(
        session, location, kits, (report.low_c, report.high_c), by=by, source="logger",
        started_at=report.excursions[0].started_at, ended_at=report.excursions[-1].ended_at,
        minutes_out=report.minutes_out,
        min_c=min(e.min_c for e in report.excursions),
        max_c=max(e.max_c for e in report.excursions),
        comment=(comment or "").strip()[:MAX_COMMENT] or None, stored_file_id=stored.id,
        reading_count=parsed.count, periods=len(report.excursions))
    session.execute(insert(StorageReading), [
        {"excursion_id": excursion.id, "taken_at": t, "temperature_c": v}
        for t, v in zip(parsed.times, parsed.temperatures, strict=True)])
    return excursion


def chart_data(session, excursion, max_points=1500):
    """Return the chart's JSON: the logger curve (or the period entered by hand) and band."""
    rows = session.execute(select(StorageReading.taken_at, StorageReading.temperature_c)
                           .where(StorageReading.excursion_id == excursion.id)
                           .order_by(StorageReading.taken_at)).all()
    times = [r[0] for r in rows] or [excursion.started_at, excursion.ended_at]
    temps = [r[1] for r in rows] or [
        excursion.min_c if excursion.min_c is not None else excursion.max_c,
        excursion.max_c if excursion.max_c is not None else excursion.min_c]
    return {"logger": excursion.reference, **chart_series(
        times, temps, float(excursion.low_c), float(excursion.high_c),
        [(excursion.started_at, excursion.ended_at)], max_points)}
