"""Excursion analysis: start, end, duration, extremes, total minutes out of range."""

from datetime import UTC, datetime, timedelta

from app.coldchain.excursions import analyse, downsample, is_refrigerated, narrowest_band
from app.coldchain.logger import parse_logger_csv
from tests.coldchain import SAMPLE

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def series(values, step=5):
    return [T0 + timedelta(minutes=step * i) for i in range(len(values))], list(values)


def test_no_excursion_limits_are_inside():
    times, temps = series([2.0, 5.0, 8.0, 7.5])
    report = analyse(times, temps, 2, 8)
    assert not report.has_excursion and report.minutes_out == 0
    assert (report.min_c, report.max_c, report.readings) == (2.0, 8.0, 4)


def test_two_excursions_high_then_low():
    times, temps = series([5, 9, 10.5, 9.5, 6, 5, 1.5, 0.5, 4, 5])
    report = analyse(times, temps, 2, 8)
    assert len(report.excursions) == 2
    high, low = report.excursions
    assert high.started_at == times[1] and high.ended_at == times[4]
    assert (high.minutes, high.min_c, high.max_c, high.direction) == (15.0, 9, 10.5, "high")
    assert low.started_at == times[6] and low.ended_at == times[8]
    assert (low.minutes, low.min_c, low.max_c, low.direction) == (10.0, 0.5, 1.5, "low")
    assert report.minutes_out == 25.0


def test_file_ending_out_of_range_ends_at_last_reading():
    times, temps = series([5, 5, 12, 13])
    report = analyse(times, temps, 2, 8)
    assert report.excursions[0].ended_at == times[-1]
    assert report.excursions[0].minutes == 5.0


def test_excursion_both_directions():
    times, temps = series([5, 9, 1, 5])
    report = analyse(times, temps, 2, 8)
    assert [e.direction for e in report.excursions] == ["both"]


def test_empty():
    report = analyse([], [], 2, 8)
    assert report.readings == 0 and not report.has_excursion


def test_downsample_keeps_extremes():
    times, temps = series([5.0] * 10000)
    temps[4321] = 15.0
    temps[777] = -3.0
    t, v = downsample(times, temps, 500)
    # 250 buckets of 40 readings: one point where flat, two where a bucket holds an extreme.
    assert len(t) == 252 and 15.0 in v and -3.0 in v
    assert t == sorted(t)


def test_the_sample_file_has_a_50_minute_high_and_a_15_minute_low(app):
    with app.test_request_context():
        parsed = parse_logger_csv(SAMPLE.read_bytes())
    report = analyse(parsed.times, parsed.temperatures, 2, 8)
    high, low = report.excursions
    assert (high.started_at, high.ended_at) == (datetime(2026, 3, 2, 19, 40, tzinfo=UTC),
                                                datetime(2026, 3, 2, 20, 30, tzinfo=UTC))
    assert (high.minutes, high.min_c, high.max_c, high.readings, high.direction) == (
        50.0, 8.6, 11.0, 10, "high")
    assert (low.minutes, low.min_c, low.max_c, low.readings, low.direction) == (
        15.0, 0.8, 1.4, 3, "low")
    assert (report.readings, report.minutes_out, report.min_c, report.max_c) == (
        360, 65.0, 0.8, 11.0)


def test_narrowest_band_and_cold_chain():
    assert narrowest_band([(2, 8), (-20, 25), (0, 6)]) == (2.0, 6.0)
    assert narrowest_band([]) is None
    assert is_refrigerated(8) and is_refrigerated(-70) and not is_refrigerated(25)
