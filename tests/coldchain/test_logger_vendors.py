"""Logger exports shaped as each vendor's software writes them: readings, times, excursions.

Every file carries the same trip: 48 readings every 15 minutes from 14:00 local time, 5.0 °C
except four readings at 9.5 °C (readings 21-24), so one excursion above 2-8 °C.
"""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook

from app.coldchain.excursions import analyse
from app.coldchain.logger import LoggerFileError, ParseOptions, parse_logger_file

STEP = timedelta(minutes=15)


def series(start, count=48):
    """Return [(local naive time, °C)] of the trip."""
    return [(start + i * STEP, 9.5 if 20 <= i <= 23 else 5.0) for i in range(count)]


def read(data, **options):
    return parse_logger_file(data, ParseOptions(**options))


def assert_trip(result, first_utc, count=48):
    assert result.count == count
    assert result.times[0] == first_utc
    assert result.times[-1] == first_utc + (count - 1) * STEP
    report = analyse(result.times, result.temperatures, 2, 8)
    assert len(report.excursions) == 1
    excursion = report.excursions[0]
    assert excursion.started_at == first_utc + 20 * STEP
    assert excursion.max_c == pytest.approx(9.5, abs=0.01)
    assert excursion.readings == 4


def f(celsius):
    return celsius * 9 / 5 + 32


def test_sensitech_temptale_month_first_ampm_fahrenheit_is_asked_then_read(app):
    # TempTale Manager CSV: metadata block, Date/Time in the US form with AM/PM, °F, summary.
    rows = "".join(f"{t:%m/%d/%Y %I:%M:%S %p},{f(c):.1f}\n" for t, c in series(
        datetime(2026, 11, 5, 14, 0)))
    data = ("Sensitech TempTale 4 USB\nSerial Number:,TT4-88213\nTrip Number:,PO-5521\n"
            "Alarm Settings:,High 46.4 °F,Low 35.6 °F\n\nDate/Time,Temperature (°F)\n" + rows
            + "\nMinimum,41.0\nMaximum,49.1\nMKT,41.9\n").encode("utf-8")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(LoggerFileError) as asked:
            read(data, timezone="America/New_York")
        assert asked.value.ask == "date_order"
        assert asked.value.samples["mdy"][0] == "05 Nov 2026 14:00"
        assert asked.value.samples["dmy"][0] == "11 May 2026 14:00"
        result = read(data, timezone="America/New_York", time_format="mdy")
    assert_trip(result, datetime(2026, 11, 5, 19, 0, tzinfo=UTC))  # EST is UTC-5
    assert (result.serial, result.preset, result.unit) == ("TT4-88213", "temptale", "F")
    assert result.header_line == 6 and result.footer_lines == 3


def test_elpro_libero_semicolons_iso_with_offsets(app):
    rows = "".join(f"{t:%Y-%m-%dT%H:%M:%S}+01:00;{c:.1f}\n" for t, c in series(
        datetime(2026, 11, 13, 14, 0)))
    data = ("ELPRO LIBERO CS;Report\nSerial No.;LB-0042771\nProfile;2-8 °C\n"
            "Timestamp;Temperature [°C]\n" + rows).encode("utf-8")
    with app.test_request_context():
        result = read(data, timezone="UTC")  # the offsets in the file win over the choice
    assert_trip(result, datetime(2026, 11, 13, 13, 0, tzinfo=UTC))
    assert (result.delimiter, result.serial, result.preset) == (";", "LB-0042771", "libero")
    assert result.zone_in_file


def test_logtag_analyzer_separate_date_and_time_12_hour_clock_bom_tab(app):
    rows = "".join(f"{i + 1}\t{t:%d/%m/%Y}\t{t:%I:%M:%S %p}\t{c:.1f}\n" for i, (t, c) in
                   enumerate(series(datetime(2026, 11, 13, 14, 0))))
    data = ("Product\tLogTag TRIX-8\nSerial Number\t1004887562\nUser ID\tSHIP 44\n\n"
            "Reading\tDate\tTime\tTemperature (°C)\n" + rows).encode("utf-8-sig")
    with app.test_request_context():
        result = read(data)  # Europe/Madrid by default: CET is UTC+1 in November
    assert_trip(result, datetime(2026, 11, 13, 13, 0, tzinfo=UTC))
    assert result.timestamp_column == "Date + Time" and result.time_format == "dmy"
    assert (result.serial, result.preset, result.timezone) == ("1004887562", "logtag",
                                                               "Europe/Madrid")


def test_berlinger_windows_1252_dots_decimal_comma(app):
    rows = "".join(f"{t:%d.%m.%Y};{t:%H:%M};{c:.1f}\n".replace(".", ",", 0)
                   .replace(f"{c:.1f}", f"{c:.1f}".replace(".", ","))
                   for t, c in series(datetime(2026, 11, 13, 14, 0)))
    data = ("Berlinger Q-tag CLm doc;;\nSeriennummer: QT-771203;;\n"
            "Datum;Zeit;Temperatur [°C]\n" + rows).encode("cp1252")
    with app.test_request_context():
        result = read(data)
    assert_trip(result, datetime(2026, 11, 13, 13, 0, tzinfo=UTC))
    assert result.decimal_comma and result.encoding == "cp1252"
    assert (result.serial, result.preset) == ("QT-771203", "berlinger")


def test_deltatrak_two_digit_years_and_summary_after_a_blank_line(app):
    rows = "".join(f"{t:%m/%d/%y} {t:%I:%M %p},{f(c):.1f}\n" for t, c in series(
        datetime(2026, 11, 13, 14, 0)))
    data = ("DeltaTrak FlashLink In-Transit Logger\nLogger ID: FL-20931\n"
            "Date Time,Temperature(°F)\n" + rows + "\nHigh Alarm,46.4\n"
            "Total time above,60 min\n").encode("utf-8")
    with app.test_request_context():
        result = read(data, timezone="America/Chicago")
    assert_trip(result, datetime(2026, 11, 13, 20, 0, tzinfo=UTC))  # CST is UTC-6
    assert result.time_format == "mdy" and result.footer_lines == 2
    assert (result.serial, result.unit) == ("FL-20931", "F")


def test_testo_utf16_tab_day_first_decimal_comma(app):
    rows = "".join(f"{t:%d.%m.%Y %H:%M:%S}\t{c:.1f}\n".replace(".", ",", 0)
                   .replace(f"\t{c:.1f}", "\t" + f"{c:.1f}".replace(".", ","))
                   for t, c in series(datetime(2026, 11, 13, 14, 0)))
    data = ("testo 184 T3\nSerial no.: 44021876\n\nDatum/Zeit\tTemperatur [°C]\n"
            + rows).encode("utf-16")
    with app.test_request_context():
        result = read(data)
    assert_trip(result, datetime(2026, 11, 13, 13, 0, tzinfo=UTC))
    assert result.encoding == "utf-16" and result.delimiter == "\t"
    assert (result.serial, result.preset) == ("44021876", "testo")


def test_controlant_header_says_utc(app):
    rows = "".join(f"{t:%Y-%m-%d %H:%M:%S},{c:.2f},41\n" for t, c in series(
        datetime(2026, 11, 13, 14, 0)))
    data = ("Time (UTC),Temperature (°C),Humidity (%)\n" + rows).encode("utf-8")
    with app.test_request_context():
        result = read(data)  # Madrid is the default, but the header says UTC
    assert_trip(result, datetime(2026, 11, 13, 14, 0, tzinfo=UTC))
    assert result.timezone == "UTC"


def test_tive_many_columns_date_named_column_holds_the_time(app):
    rows = "".join(f"{t:%Y-%m-%d %H:%M:%S},{c:.1f},45.2,12,40.4168,-3.7038\n"
                   for t, c in series(datetime(2026, 11, 13, 14, 0)))
    data = ("Date (UTC),Temperature (°C),Humidity (%),Light (lux),Latitude,Longitude\n"
            + rows).encode("utf-8")
    with app.test_request_context():
        result = read(data, preset="tive")
    assert_trip(result, datetime(2026, 11, 13, 14, 0, tzinfo=UTC))


def xlsx(rows):
    book = Workbook()
    cover = book.active
    cover.title = "Report"
    for row in rows:
        cover.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_emerson_go_xlsx_with_real_excel_dates(app):
    data = xlsx([["Emerson GO Real-Time Trip Report"], ["Device Serial", "GO-7A31C"], [],
                 ["Date/Time (UTC)", "Temperature (°C)"],
                 *[[t, c] for t, c in series(datetime(2026, 11, 13, 14, 0))],
                 [], ["Minimum", 5.0], ["Maximum", 9.5]])
    with app.test_request_context():
        result = read(data)
    assert_trip(result, datetime(2026, 11, 13, 14, 0, tzinfo=UTC))
    assert (result.time_format, result.serial, result.footer_lines) == ("excel", "GO-7A31C", 2)


def test_xlsx_naive_dates_are_local_time(app):
    data = xlsx([["Date", "Time", "Temp °C"],
                 *[[t.date(), t.time(), c] for t, c in series(datetime(2026, 7, 13, 14, 0))]])
    with app.test_request_context():
        result = read(data)
    assert_trip(result, datetime(2026, 7, 13, 12, 0, tzinfo=UTC))  # CEST is UTC+2


def test_madrid_autumn_repeated_hour_reads_forward(app):
    # 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:00-02:59 happens twice.
    stamps = ["2026-10-25 01:30", "2026-10-25 02:00", "2026-10-25 02:30", "2026-10-25 02:00",
              "2026-10-25 02:30", "2026-10-25 03:00"]
    data = ("timestamp,temperature\n" + "".join(f"{s},5\n" for s in stamps)).encode()
    with app.test_request_context():
        result = read(data)
    steps = {b - a for a, b in zip(result.times, result.times[1:], strict=False)}
    assert steps == {timedelta(minutes=30)} and result.count == 6


def test_cryogenic_readings_down_to_minus_196_are_accepted(app):
    data = b"timestamp,temperature (\xc2\xb0C)\n2026-11-13T10:00Z,-196.0\n2026-11-13T10:05Z,-150\n"
    with app.test_request_context():
        assert read(data).temperatures == [-196.0, -150.0]
