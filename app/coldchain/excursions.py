"""Judge a temperature series against an allowed band: excursions, durations, extremes.

An excursion starts at the first reading outside the range and ends at the first reading
back inside it (or at the last reading when the file ends outside). Readings on the limits
are inside. Its duration is end - start; the total is the sum over excursions.
"""

from dataclasses import dataclass, field

# A band whose top is at or below this is refrigerated (or colder): it needs the cold chain.
COLD_CHAIN_MAX_C = 8.0


@dataclass
class Excursion:
    """One continuous period outside the storage range."""

    started_at: object
    ended_at: object
    minutes: float
    min_c: float
    max_c: float
    readings: int
    direction: str = "high"  # 'high', 'low' or 'both' (above and below the range)


@dataclass
class ExcursionReport:
    """Every excursion plus the figures of the whole curve."""

    low_c: float
    high_c: float
    excursions: list = field(default_factory=list)
    minutes_out: float = 0.0
    readings: int = 0
    first_at: object = None
    last_at: object = None
    min_c: float | None = None
    max_c: float | None = None

    @property
    def has_excursion(self):
        """Return True when any reading was outside the range."""
        return bool(self.excursions)


def narrowest_band(bands):
    """Return the (low, high) °C band inside every given (low, high) band, or None if none."""
    bands = [(float(low), float(high)) for low, high in bands]
    if not bands:
        return None
    return max(low for low, _high in bands), min(high for _low, high in bands)


def is_refrigerated(high_c):
    """Return True when a band's top is at or below the cold-chain limit."""
    return float(high_c) <= COLD_CHAIN_MAX_C


def analyse(times, temperatures, low_c, high_c):
    """Return the ExcursionReport of readings (times ascending) against [low_c, high_c]."""
    low_c, high_c = float(low_c), float(high_c)
    report = ExcursionReport(low_c=low_c, high_c=high_c, readings=len(times))
    if not times:
        return report
    report.first_at, report.last_at = times[0], times[-1]
    report.min_c, report.max_c = min(temperatures), max(temperatures)
    if low_c <= report.min_c and report.max_c <= high_c:
        return report
    excursions = report.excursions
    start = None
    lo = hi = 0.0
    went_low = went_high = False
    count = 0
    # One pass, no per-reading function calls: 100,000 readings take a few milliseconds.
    for index, value in enumerate(temperatures):
        if value < low_c or value > high_c:
            if start is None:
                start, lo, hi, count = index, value, value, 0
                went_low = went_high = False
            if value < lo:
                lo = value
            if value > hi:
                hi = value
            if value < low_c:
                went_low = True
            else:
                went_high = True
            count += 1
        elif start is not None:
            excursions.append(_excursion(times[start], times[index], lo, hi, count,
                                         went_low, went_high))
            start = None
    if start is not None:
        excursions.append(_excursion(times[start], times[-1], lo, hi, count, went_low,
                                     went_high))
    report.minutes_out = round(sum(e.minutes for e in excursions), 1)
    return report


def _excursion(started, ended, lo, hi, count, went_low, went_high):
    direction = "both" if went_low and went_high else ("low" if went_low else "high")
    return Excursion(started_at=started, ended_at=ended,
                     minutes=round((ended - started).total_seconds() / 60.0, 1),
                     min_c=lo, max_c=hi, readings=count, direction=direction)


def downsample(times, temperatures, max_points=1500):
    """Return (times, temperatures) thinned for a chart, keeping each bucket's min and max."""
    n = len(times)
    if n <= max_points:
        return list(times), list(temperatures)
    bucket = -(-n * 2 // max_points)
    out_t, out_v = [], []
    for begin in range(0, n, bucket):
        end = min(begin + bucket, n)
        chunk = temperatures[begin:end]
        i_min = begin + chunk.index(min(chunk))
        i_max = begin + chunk.index(max(chunk))
        for i in sorted({i_min, i_max}):
            out_t.append(times[i])
            out_v.append(temperatures[i])
    return out_t, out_v
