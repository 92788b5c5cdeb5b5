"""Chart data for the page (thinned curve, band, excursions) and the PDF drawing."""

from datetime import UTC, datetime, timedelta

from reportlab.graphics.shapes import Drawing, PolyLine, Rect

from app.coldchain.chart import chart_series
from app.coldchain.pdf_chart import temperature_drawing

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
MS = int(T0.timestamp() * 1000)


def test_chart_series_in_milliseconds_with_band_and_excursions():
    times = [T0 + timedelta(minutes=5 * i) for i in range(4)]
    data = chart_series(times, [5.0, 9.0, 9.5, 6.0], 2.0, 8.0, [(times[1], times[3])])
    assert data == {
        "low": 2.0, "high": 8.0,
        "points": [[MS, 5.0], [MS + 300_000, 9.0], [MS + 600_000, 9.5], [MS + 900_000, 6.0]],
        "excursions": [[MS + 300_000, MS + 900_000]],
    }


def test_chart_series_thins_long_curves_keeping_extremes():
    times = [T0 + timedelta(minutes=i) for i in range(6000)]
    temps = [5.0] * 6000
    temps[3001] = 12.5
    data = chart_series(times, temps, 2, 8, [], max_points=1500)
    # 750 buckets of 8 readings: one point where flat, two in the bucket with the peak.
    assert len(data["points"]) == 751 and [MS + 3001 * 60_000, 12.5] in data["points"]


def test_pdf_drawing_has_band_curve_and_one_shade_per_excursion():
    times = [T0 + timedelta(minutes=5 * i) for i in range(10)]
    temps = [5, 9, 10, 6, 5, 5, 1, 5, 5, 5]
    drawing = temperature_drawing(times, temps, 2, 8, [(times[1], times[3]),
                                                       (times[6], times[7])])
    assert isinstance(drawing, Drawing)
    rects = [s for s in drawing.contents if isinstance(s, Rect)]
    assert len(rects) == 3  # the allowed band and two excursions
    [curve] = [s for s in drawing.contents if isinstance(s, PolyLine)]
    assert len(curve.points) == 20  # x and y of each reading


def test_pdf_drawing_of_no_readings_is_a_dash():
    drawing = temperature_drawing([], [], 2, 8, [])
    assert [s.text for s in drawing.contents] == ["—"]
