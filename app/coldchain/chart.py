"""The data of a temperature chart: thinned curve, allowed band and excursion periods."""

from app.coldchain.excursions import downsample


def _ms(moment):
    return int(moment.timestamp() * 1000)


def chart_series(times, temperatures, low_c, high_c, excursions, max_points=1500):
    """Return the chart's JSON-ready data; excursions are (start, end) pairs.

    Times become milliseconds since the epoch (what Chart.js reads); the curve keeps each
    bucket's lowest and highest reading, so thinning never hides an excursion.
    """
    t, v = downsample(times, temperatures, max_points)
    return {
        "low": low_c, "high": high_c,
        "points": [[_ms(x), y] for x, y in zip(t, v, strict=True)],
        "excursions": [[_ms(started), _ms(ended)] for started, ended in excursions],
    }
