"""Timestamps of logger files: ISO, day-first, month-first, AM/PM, 2-digit years, zones.

The date order is decided from the whole column: a day above 12 in the first place means
day-first, in the second place month-first; when every value fits both, the caller must ask.
"""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

_NUMERIC = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*([AaPp]\.?\s?[Mm]\.?)?\s*(.*)$")
_YEAR_FIRST = re.compile(
    r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*([AaPp]\.?\s?[Mm]\.?)?\s*(.*)$")
_MONTH_NAME = re.compile(
    r"^(?:(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4}|\d{2})|([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4}))"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*([AaPp]\.?\s?[Mm]\.?)?\s*(.*)$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)
_NAMED_ZONES = {"z": 0, "utc": 0, "gmt": 0, "cet": 60, "cest": 120, "wet": 0, "west": 60}
MONTHS = {name: number for number, names in enumerate((
    ("jan", "ene", "januar"), ("feb",), ("mar", "mär", "märz"), ("apr", "abr"), ("may", "mai"),
    ("jun",), ("jul",), ("aug", "ago"), ("sep", "sept", "set"), ("oct", "okt"), ("nov",),
    ("dec", "dic", "dez")), start=1) for name in names}

DATE_ORDERS = ("dmy", "mdy")


class AmbiguousDates(ValueError):
    """Every date of the column fits both day-first and month-first."""


class MixedDates(ValueError):
    """Some dates are only day-first, others only month-first: (line, line)."""


def _zone(text):
    """Return the tzinfo a trailing zone text names, None for none; ValueError when unknown."""
    text = text.strip().strip("()[]").strip()
    if not text:
        return None
    if text.lower() in _NAMED_ZONES:
        return timezone(timedelta(minutes=_NAMED_ZONES[text.lower()]))
    match = _OFFSET.match(text)
    if not match:
        raise ValueError(text)
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-delta if sign == "-" else delta)


def _year(text):
    return 2000 + int(text) if len(text) == 2 else int(text)


def _clock(hour, minute, second, meridian):
    hour = int(hour or 0)
    if meridian:
        if not 1 <= hour <= 12:
            raise ValueError("12-hour clock")
        pm = meridian.strip().lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    return time(hour, int(minute or 0), int(second or 0))


def split_numeric(value):
    """Return (first, second) of a d/m or m/d date, or None for other shapes."""
    match = _NUMERIC.match(value.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def decide_date_order(samples):
    """Return 'dmy', 'mdy' or None (no numeric dates) from [(line, value)] of a column.

    Raises AmbiguousDates when every date fits both, MixedDates when the column mixes them.
    """
    day_first = month_first = None
    numeric = False
    for line, value in samples:
        parts = split_numeric(value)
        if parts is None:
            continue
        numeric = True
        first, second = parts
        if first > 12 and day_first is None:
            day_first = line
        if second > 12 and month_first is None:
            month_first = line
    if day_first and month_first:
        raise MixedDates(day_first, month_first)
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if numeric:
        raise AmbiguousDates()
    return None


def parse_stamp(value, order, local):
    """Return an aware datetime for a text timestamp; naive times are in the zone ``local``."""
    value = value.strip()
    stamp = _try_iso(value)
    if stamp is None:
        stamp = _parse_pattern(value, order)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=local)
    return stamp


def _try_iso(value):
    if len(value) < 10 or not value[:4].isdigit() or value[4] not in "-/":
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        return None


def _parse_pattern(value, order):
    match = _YEAR_FIRST.match(value)
    if match:
        year, month, day, hour, minute, second, meridian, zone = match.groups()
    elif match := _NUMERIC.match(value):
        first, second_part, year, hour, minute, second, meridian, zone = match.groups()
        if order == "mdy":
            month, day = first, second_part
        else:
            day, month = first, second_part
    elif match := _MONTH_NAME.match(value):
        groups = match.groups()
        day, name, year = (groups[0], groups[1], groups[2]) if groups[0] else \
            (groups[4], groups[3], groups[5])
        month = MONTHS.get(name[:3].lower()) or MONTHS.get(name.lower())
        if month is None:
            raise ValueError(value)
        hour, minute, second, meridian, zone = groups[6:]
    else:
        raise ValueError(value)
    moment = datetime.combine(date(_year(year), int(month), int(day)),
                              _clock(hour, minute, second, meridian))
    tz = _zone(zone)
    return moment.replace(tzinfo=tz) if tz else moment


def from_cells(date_cell, time_cell, order, local):
    """Return an aware datetime from a date cell and an optional time cell (text or Excel)."""
    if isinstance(date_cell, datetime) and time_cell in (None, ""):
        stamp = date_cell
    elif isinstance(date_cell, (datetime, date)) and time_cell not in (None, ""):
        day = date_cell.date() if isinstance(date_cell, datetime) else date_cell
        clock = time_cell if isinstance(time_cell, time) else \
            (time_cell.time() if isinstance(time_cell, datetime) else None)
        if clock is None:
            return parse_stamp(f"{day.isoformat()} {time_cell}", order, local)
        stamp = datetime.combine(day, clock)
    elif isinstance(date_cell, date):
        stamp = datetime.combine(date_cell, time())
    else:
        text = str(date_cell).strip()
        if time_cell not in (None, ""):
            clock = time_cell.strftime("%H:%M:%S") if isinstance(time_cell, time) \
                else str(time_cell).strip()
            text = f"{text} {clock}"
        return parse_stamp(text, order, local)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=local)


def to_utc(stamp, previous):
    """Return stamp in UTC; a naive local time in the autumn's repeated hour takes its second
    reading (fold=1) when the first would go back before the previous reading."""
    result = stamp.astimezone(UTC)
    if previous is not None and result <= previous and stamp.fold == 0 \
            and getattr(stamp.tzinfo, "key", None):
        later = stamp.replace(fold=1).astimezone(UTC)
        if later > previous:
            return later
    return result
