"""Logger upload screens: preview before storing, the date order asked, the zone changeable,
the original bytes kept exactly, nothing kept from a failing file."""

import hashlib
import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.files.services import read_bytes
from app.shipments.models import LoggerReading, LoggerUpload, Shipment
from tests.shipments.test_views import dispatched_via_screens, hidden, post_ok, upload_logger

# A Sensitech-style US export dated 5-6 November: every day is 12 or less.
US_FILE = ("Serial Number:,TT4-88213\nDate/Time,Temperature (°F)\n" + "".join(
    f"11/{5 + h // 24:02d}/2026 {(h % 24) % 12 or 12:02d}:00:00 {'AM' if h % 24 < 12 else 'PM'},"
    f"41.0\n" for h in range(14, 38))).encode("utf-8")


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def left_on_5_november(db, sid, loggers="TT4-88213"):
    """Let the shipment have left on 5 November with these loggers: the files below are of
    that journey (readings outside the journey are refused, issue 10)."""
    shipment = db.session.get(Shipment, sid)
    shipment.packed_at = shipment.dispatched_at = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
    shipment.logger_ids = loggers
    db.session.commit()


def test_ambiguous_dates_are_asked_then_previewed_then_stored(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    left_on_5_november(db, sid)
    login(world.site_user)
    url = f"/shipments/{sid}/logger"
    page = client.get(url).get_data(as_text=True)
    assert '<option selected value="Europe/Madrid">' in page  # the local zone, shown
    asked = post_ok(client, url, {"file": (io.BytesIO(US_FILE), "tt4.csv"),
                                  "logger_serial": "", "timezone": "America/New_York"},
                    content_type="multipart/form-data")
    assert "fit both day first and month first" in asked
    assert "from 05 Nov 2026 14:00 to 06 Nov 2026 13:00" in asked
    assert "from 11 May 2026 14:00 to 11 Jun 2026 13:00" in asked
    assert count(db, LoggerUpload) == 0
    staged = hidden(asked, "staged")
    assert len(staged) == 32  # the file waits; the user only chooses the order
    preview = post_ok(client, url, {"staged": staged, "staged_name": "tt4.csv",
                                    "timezone": "America/New_York", "time_format": "mdy",
                                    "action": "preview"})
    assert '<dd class="col-sm-7" id="preview-count">24</dd>' in preview
    assert "2026-11-05 14:00 – 2026-11-06 13:00" in preview
    assert "UTC 2026-11-05 19:00 – 2026-11-06 18:00" in preview
    assert 'value="TT4-88213"' in preview  # the serial the file names fills the logger id
    assert count(db, LoggerUpload) == 0
    fields = {n: hidden(preview, n) for n in ("staged", "staged_name", "previewed")}
    # The zone changed after the preview: shown again, not stored.
    again = post_ok(client, url, {**fields, "logger_serial": "TT4-88213", "timezone": "UTC",
                                  "time_format": "mdy", "action": "store"})
    assert "The choices changed since the last preview" in again
    assert "UTC 2026-11-05 14:00" in again and count(db, LoggerUpload) == 0
    fields["previewed"] = hidden(again, "previewed")
    post_ok(client, url, {**fields, "logger_serial": "TT4-88213", "timezone": "UTC",
                          "time_format": "mdy", "action": "store"})
    upload = db.session.scalar(select(LoggerUpload))
    assert (upload.reading_count, upload.time_format, upload.timezone) == (24, "mdy", "UTC")
    assert read_bytes(upload.stored_file) == US_FILE
    assert upload.file_sha256 == hashlib.sha256(US_FILE).hexdigest()


def test_utf16_original_is_kept_byte_for_byte(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    left_on_5_november(db, sid, loggers="")
    login(world.site_user)
    data = ("testo 184\nDatum/Zeit\tTemperatur [°C]\n" + "".join(
        f"13.11.2026 {h:02d}:00:00\t5,0\n" for h in range(10))).encode("utf-16")
    upload_logger(client, f"/shipments/{sid}/logger", data, filename="testo.txt")
    upload = db.session.scalar(select(LoggerUpload))
    assert read_bytes(upload.stored_file) == data and upload.reading_count == 10
    assert count(db, LoggerReading) == 10


def test_failing_file_stores_nothing_and_says_why(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    login(world.site_user)
    page = post_ok(client, f"/shipments/{sid}/logger", {
        "file": (io.BytesIO(b"Date;Min;Max\n13.11.2026;3;6\n"), "ft2.csv"),
        "logger_serial": "FT-1"}, content_type="multipart/form-data")
    assert "holds a summary (minimum and maximum" in page
    assert count(db, LoggerUpload) == 0 and count(db, LoggerReading) == 0
    assert db.session.get(Shipment, sid).minutes_out in (None, 0)
