"""Logger CSV parsing: dialects, units, bad rows with their line numbers."""

from datetime import UTC, datetime

import pytest

from app.coldchain.logger import (
    MAX_LOGGER_BYTES,
    LoggerFileError,
    ParseOptions,
    parse_logger_csv,
)
from app.core.errors import DomainError
from tests.coldchain import SAMPLE


def parse(text, **options):
    options.setdefault("timezone", "UTC")
    return parse_logger_csv(text.encode("utf-8"), ParseOptions(**options))


def test_comma_iso_celsius(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = parse("timestamp,temperature\n2026-03-01T10:00:00Z,4.5\n"
                       "2026-03-01T10:05:00Z,5.0\n")
    assert result.count == 2
    assert result.times[0] == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert result.temperatures == [4.5, 5.0]
    assert (result.delimiter, result.unit, result.decimal_comma) == (",", "C", False)


def test_semicolon_decimal_comma_day_first_fahrenheit(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = parse("# Logger LG-77 export\nFecha/Hora;Temp (°F)\n13/03/2026 10:00;41,0\n"
                       "13/03/2026 10:05:30;50\n")
    assert result.delimiter == ";" and result.decimal_comma and result.unit == "F"
    assert result.time_format == "dmy"
    assert result.temperatures == [5.0, 10.0]
    assert result.times[1] == datetime(2026, 3, 13, 10, 5, 30, tzinfo=UTC)


def test_tab_and_madrid_time(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = parse("Date Time\tValue\n2026-07-01 12:00\t4\n", timezone="Europe/Madrid")
    assert result.delimiter == "\t"
    assert result.times[0] == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # CEST is UTC+2


def test_chosen_columns_and_unit(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = parse("a,b,c\nx,2026-03-01 10:00,20\n", timestamp_column="b",
                       temperature_column="c", unit="F")
    assert result.timestamp_column == "b"
    assert result.temperatures == [pytest.approx(-6.67, abs=0.01)]


def test_month_first_only_when_chosen(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = parse("time,temp\n03/01/2026 10:00,5\n", time_format="mdy")
    assert result.times[0].month == 3 and result.times[0].day == 1


def refused(text, **options):
    with pytest.raises(LoggerFileError) as caught:
        parse(text, **options)
    return caught.value


def test_garbage_lines_reported_with_line_numbers(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused("timestamp,temperature\n2026-03-01 10:00,4\nhello world\n"
                        "2026-03-01 10:10,warm\nnot-a-date,5\n2026-03-01 10:20,999\n")
    lines = [line for line, _msg in error.problems]
    assert lines == [3, 4, 5, 6]
    assert "not a temperature" in error.problems[1][1]
    assert "not a date" in error.problems[2][1]
    assert "plausible" in error.problems[3][1]
    assert "was not stored" in error.message


def test_reversed_time_refused(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused("timestamp,temperature\n2026-03-01 10:10,4\n2026-03-01 10:00,4\n")
    assert error.problems == [(3, error.problems[0][1])]
    assert "backwards" in error.problems[0][1] and "line 2" in error.problems[0][1]


def test_duplicate_timestamp_refused(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused("timestamp,temperature\n2026-03-01 10:00,4\n2026-03-01 10:00,5\n")
    assert error.problems[0][0] == 3
    assert "duplicate timestamp" in error.problems[0][1]


def test_other_formats_refused(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "cannot be read" in refused_bytes(b"PK\x03\x04\x00\x00binary").message
        assert "neither text" in refused_bytes(b"\x00\x01\x02binary\xff" * 50).message
        assert "JSON" in refused('{"readings": []}').message
        assert "No timestamp column" in refused("foo,bar\n1,2\n").message
        assert "no comma, semicolon or tab" in refused("just some words\nmore\n").message
        assert "no readings" in refused("timestamp,temperature\n").message
        assert "not in the file" in refused("timestamp,temperature\n2026-03-01 10:00,4\n",
                                            timestamp_column="when").message


def refused_bytes(data):
    with pytest.raises(LoggerFileError) as caught:
        parse_logger_csv(data)
    return caught.value


def test_forty_megabytes_refused_before_reading(app):
    data = b"timestamp,temperature\n" + b"2026-03-01 10:00,4\n" * (40 * 1024 * 1024 // 19)
    assert len(data) > MAX_LOGGER_BYTES
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused_bytes(data)
    assert "larger than" in error.message


def test_many_problems_are_capped_but_counted(app):
    body = "".join(f"bad line {i}\n" for i in range(200))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused("timestamp,temperature\n" + body)
    assert error.total == 200 and len(error.problems) == 50


def test_sample_file_parses(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = parse_logger_csv(SAMPLE.read_bytes())
    assert result.count == 360  # 30 hours, one reading every 5 minutes
    assert result.times[0] == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert result.times[-1] == datetime(2026, 3, 3, 13, 55, tzinfo=UTC)
    assert (min(result.temperatures), max(result.temperatures)) == (0.8, 11.0)
    assert (result.delimiter, result.unit, result.time_format) == (",", "C", "iso")
    assert result.temperature_column == "temperature (°C)"


def test_a_refused_file_is_a_domain_error(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused("timestamp,temperature\n")
    assert isinstance(error, DomainError) and error.message == str(error)
