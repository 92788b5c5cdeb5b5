"""The issue's bad logger files: each gets a clear message, never an exception of its own."""

import os
from datetime import datetime, timedelta

import pytest

from app.coldchain.logger import LoggerFileError, ParseOptions, parse_logger_file


def refused(data, **options):
    with pytest.raises(LoggerFileError) as caught:
        parse_logger_file(data, ParseOptions(**options))
    return caught.value


@pytest.fixture
def en(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_binary_blob(en):
    blob = os.urandom(4096).replace(b"\xff\xfe", b"..").replace(b"PK", b"..")
    assert "neither text" in refused(b"\x00" + blob).message


def test_three_hundred_thousand_lines(en):
    start = datetime(2026, 1, 1)
    data = "timestamp,temperature\n" + "".join(
        f"{start + timedelta(minutes=i):%Y-%m-%d %H:%M},5\n" for i in range(300_000))
    error = refused(data.encode())
    assert error.message == "The file has 300000 readings; at most 200000 are accepted."


def test_header_but_no_data(en):
    error = refused("Serial Number: X1\nDate,Time,Temperature (°C)\n\nMinimum,\n".encode())
    assert error.message == "The file has a header but no readings."


def test_mixed_date_orders(en):
    data = b"time,temp\n13/01/2026 10:00,5\n01/14/2026 10:00,5\n"
    assert refused(data).message == (
        "The dates mix two orders: line 2 can only be day first and line 3 only month first. "
        "Export the file again with one date format.")


def test_every_day_up_to_twelve_is_asked_not_guessed(en):
    error = refused(b"time,temp\n11/05/2026 10:00,5\n11/06/2026 10:00,5\n")
    assert error.ask == "date_order"
    assert error.samples == {"dmy": ["11 May 2026 10:00", "11 Jun 2026 10:00"],
                             "mdy": ["05 Nov 2026 10:00", "06 Nov 2026 10:00"]}


def test_temperature_of_1e308_and_infinity(en):
    error = refused(b"time,temp\n2026-01-01 10:00,1e308\n2026-01-01 10:05,inf\n"
                    b"2026-01-01 10:10,nan\n")
    assert [line for line, _m in error.problems] == [2, 3, 4]
    assert error.problems[0][1] == "1e+308 °C is not a plausible temperature (-200.0 to 100.0 °C)."
    assert error.problems[1][1] == "“inf” is not a temperature."


def test_daily_min_max_summary_is_refused_as_such(en):
    # Berlinger Fridge-tag style history: one line per day with its minimum and maximum.
    data = "Fridge-tag 2 history\nDate;Min °C;Max °C;Alarm\n13.11.2026;3,1;6,8;no\n".encode()
    assert "summary (minimum and maximum" in refused(data).message


def test_twelve_hour_clock_with_hour_13_is_a_bad_line(en):
    error = refused(b"time,temp\n2026-01-13 1:00 PM,5\n13/01/2026 13:00 PM,5\n")
    assert [line for line, _m in error.problems] == [3]


def test_an_unclosed_quote_stays_on_its_own_line(en):
    data = b'time,temp\n2026-01-13 10:00,"5\n2026-01-13 10:05,6\n'
    assert parse_logger_file(data, ParseOptions(timezone="UTC")).temperatures == [5.0, 6.0]
