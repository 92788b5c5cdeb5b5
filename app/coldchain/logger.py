"""Read a temperature logger's CSV export: detect its dialect, check every row, refuse it whole."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.errors import DomainError

# A 100,000-reading export is about 3 MB; anything far larger is not one trip's logger file.
MAX_LOGGER_BYTES = 10 * 1024 * 1024
MAX_READINGS = 200_000
MAX_PROBLEMS_SHOWN = 50
# Plausible physical range (dry ice is -78 C, LN2 dry shippers -196 C).
PLAUSIBLE_MIN_C, PLAUSIBLE_MAX_C = -200.0, 100.0

DELIMITERS = {",": _l("Comma (,)"), ";": _l("Semicolon (;)"), "\t": _l("Tab")}
UNITS = {"C": _l("Celsius (°C)"), "F": _l("Fahrenheit (°F)")}
TIME_FORMATS = {
    "iso": _l("ISO 8601 (2026-03-01 14:05:00)"),
    "dmy": _l("Day first (01/03/2026 14:05)"),
    "mdy": _l("Month first (03/01/2026 14:05)"),
}
TIMEZONES = {"UTC": _l("UTC"), "Europe/Madrid": _l("Spanish time (Europe/Madrid)")}

TIMESTAMP_NAMES = ("timestamp", "datetime", "date time", "date/time", "date-time", "time",
                   "fecha/hora", "fecha hora", "fecha y hora", "fechahora", "fecha", "hora",
                   "date", "zeit", "horodatage")
TEMPERATURE_HINTS = ("temp", "°c", "°f", "degc", "degf", "value", "valor", "reading")

_DAY_FIRST = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?$")


class LoggerFileError(DomainError):
    """The file was refused; ``problems`` lists (line number or None, message)."""

    def __init__(self, message, problems=(), total=None):
        super().__init__(message)
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)


@dataclass
class ParseOptions:
    """What the user chose; None means detect it from the file."""

    delimiter: str | None = None
    timestamp_column: str | None = None
    temperature_column: str | None = None
    decimal_comma: bool | None = None
    unit: str | None = None
    time_format: str | None = None
    timezone: str = "UTC"


@dataclass
class ParsedLogger:
    """A file that passed every check: readings in °C, time strictly increasing, in UTC."""

    times: list = field(default_factory=list)
    temperatures: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    delimiter: str = ","
    timestamp_column: str = ""
    temperature_column: str = ""
    decimal_comma: bool = False
    unit: str = "C"
    time_format: str = "iso"
    timezone: str = "UTC"

    @property
    def count(self):
        """Return the number of readings."""
        return len(self.times)


def decode_text(data):
    """Return the text of the bytes (UTF-8 with or without BOM, else Windows-1252)."""
    if b"\x00" in data[:65536]:
        raise LoggerFileError(_("This is not a CSV text file. Export the logger data as CSV "
                                "(timestamp and temperature) and upload that."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoggerFileError(_("The file's characters could not be read as UTF-8 or "
                            "Windows-1252 text."))


def _content_lines(text):
    """Yield (line number, line) for lines that are neither blank nor '#' comments."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line


def detect_delimiter(header):
    """Return the delimiter used most in the header line, or None."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def _norm(name):
    return re.sub(r"\s+", " ", name.strip().strip('"').lower())


def _base_name(name):
    """Return the column name without a unit in brackets: 'Temp (°C)' -> 'temp'."""
    return re.sub(r"\s*[\(\[].*?[\)\]]\s*", " ", _norm(name)).strip()


def find_timestamp_column(columns):
    """Return the index of the timestamp column, or None."""
    bases = [_base_name(c) for c in columns]
    for wanted in TIMESTAMP_NAMES:
        if wanted in bases:
            return bases.index(wanted)
    return None


def find_temperature_column(columns, skip):
    """Return the index of the temperature column, or None."""
    for index, name in enumerate(columns):
        if index != skip and any(h in _norm(name) for h in TEMPERATURE_HINTS):
            return index
    return None


def unit_from_header(name):
    """Return 'F' when the column name says Fahrenheit, else 'C'."""
    n = _norm(name)
    if "°f" in n or "degf" in n or "fahrenheit" in n or re.search(r"[\(\[]\s*f\s*[\)\]]", n):
        return "F"
    return "C"


def _column_index(columns, chosen, kind):
    wanted = _norm(chosen)
    for index, name in enumerate(columns):
        if _norm(name) == wanted:
            return index
    raise LoggerFileError(
        _("The %(kind)s column “%(name)s” is not in the file. Columns found: %(found)s.",
          kind=kind, name=chosen, found=", ".join(columns)))


def _parse_iso(value, tz):
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00").replace("/", "-"))
    return stamp.replace(tzinfo=tz) if stamp.tzinfo is None else stamp


def _parse_dmy(value, tz, month_first=False):
    match = _DAY_FIRST.match(value)
    if not match:
        raise ValueError(value)
    a, b, year, hour, minute, second = match.groups()
    day, month = (int(b), int(a)) if month_first else (int(a), int(b))
    return datetime(int(year), month, day, int(hour), int(minute), int(second or 0), tzinfo=tz)


def _parser_for(time_format):
    if time_format == "iso":
        return _parse_iso
    if time_format == "mdy":
        return lambda value, tz: _parse_dmy(value, tz, month_first=True)
    return _parse_dmy


def detect_time_format(value):
    """Return 'iso' or 'dmy' for a sample timestamp, or None when neither reads it."""
    for name in ("iso", "dmy"):
        try:
            _parser_for(name)(value.strip(), UTC)
        except ValueError:
            continue
        return name
    return None


def _detect_decimal_comma(rows, index):
    for _number, row in rows[:200]:
        if len(row) > index:
            value = row[index].strip()
            if "," in value and "." not in value:
                return True
            if "." in value:
                return False
    return False


def parse_logger_csv(data, options=None):
    """Return a ParsedLogger for the bytes, or raise LoggerFileError listing every bad line."""
    options = options or ParseOptions()
    if len(data) > MAX_LOGGER_BYTES:
        raise LoggerFileError(_("The file is larger than %(mb)s MB. A logger export of one "
                                "trip is far smaller: check that this is the right file.",
                                mb=MAX_LOGGER_BYTES // (1024 * 1024)))
    if not data.strip():
        raise LoggerFileError(_("The file is empty."))
    text = decode_text(data)
    if text.lstrip().startswith(("{", "[", "<")):
        raise LoggerFileError(_("This looks like JSON, XML or HTML, not CSV. Export the logger "
                                "data as CSV (timestamp and temperature) and upload that."))
    lines = list(_content_lines(text))
    if not lines:
        raise LoggerFileError(_("The file has no header line and no readings."))
    header_number, header = lines[0]
    delimiter = options.delimiter or detect_delimiter(header)
    if delimiter not in DELIMITERS:
        raise LoggerFileError(_("Line %(line)s: no comma, semicolon or tab separates the "
                                "columns of the header. A logger CSV starts with a header such "
                                "as “timestamp,temperature”.", line=header_number))
    columns = [c.strip() for c in next(csv.reader([header], delimiter=delimiter))]
    time_index, temp_index = _columns(columns, options)
    tz = ZoneInfo(options.timezone) if options.timezone in TIMEZONES else UTC
    unit = options.unit or unit_from_header(columns[temp_index])
    rows = [(number, row) for number, row in zip(
        (n for n, _line in lines[1:]),
        csv.reader((line for _n, line in lines[1:]), delimiter=delimiter), strict=True)]
    if not rows:
        raise LoggerFileError(_("The file has a header but no readings."))
    if len(rows) > MAX_READINGS:
        raise LoggerFileError(_("The file has %(n)s readings; at most %(max)s are accepted.",
                                n=len(rows), max=MAX_READINGS))
    decimal_comma = (options.decimal_comma if options.decimal_comma is not None
                     else _detect_decimal_comma(rows, temp_index))
    time_format = options.time_format or _first_time_format(rows, time_index)
    result = ParsedLogger(columns=columns, delimiter=delimiter,
                          timestamp_column=columns[time_index],
                          temperature_column=columns[temp_index], decimal_comma=decimal_comma,
                          unit=unit, time_format=time_format, timezone=options.timezone)
    problems = _read_rows(rows, time_index, temp_index, result, tz)
    if problems:
        raise LoggerFileError(
            ngettext("The file was not stored: %(num)s line has a problem. Correct it (or "
                     "choose the columns, delimiter, decimal mark, unit or time format) and "
                     "upload the file again.",
                     "The file was not stored: %(num)s lines have problems. Correct them (or "
                     "choose the columns, delimiter, decimal mark, unit or time format) and "
                     "upload the file again.", len(problems)),
            problems[:MAX_PROBLEMS_SHOWN], total=len(problems))
    return result


def _columns(columns, options):
    if options.timestamp_column:
        time_index = _column_index(columns, options.timestamp_column, _("timestamp"))
    else:
        time_index = find_timestamp_column(columns)
    if time_index is None:
        raise LoggerFileError(_("No timestamp column was found. Columns found: %(found)s. "
                                "Choose the timestamp and temperature columns below.",
                                found=", ".join(columns)))
    if options.temperature_column:
        temp_index = _column_index(columns, options.temperature_column, _("temperature"))
    else:
        temp_index = find_temperature_column(columns, time_index)
    if temp_index is None:
        raise LoggerFileError(_("No temperature column was found. Columns found: %(found)s. "
                                "Choose the timestamp and temperature columns below.",
                                found=", ".join(columns)))
    if temp_index == time_index:
        raise LoggerFileError(_("The timestamp and the temperature must be different columns."))
    return time_index, temp_index


def _first_time_format(rows, index):
    for _number, row in rows[:20]:
        if len(row) > index and (found := detect_time_format(row[index])):
            return found
    return "iso"


def _read_rows(rows, time_index, temp_index, result, tz):
    """Fill result with the readings; return the list of (line, message) problems."""
    parse_time = _parser_for(result.time_format)
    fahrenheit = result.unit == "F"
    comma = result.decimal_comma
    needed = max(time_index, temp_index) + 1
    problems = []
    times, temps = result.times, result.temperatures
    previous, previous_line = None, None
    for number, row in rows:
        if len(row) < needed:
            problems.append((number, _("expected at least %(n)s columns, found %(found)s: "
                                       "“%(text)s”", n=needed, found=len(row),
                                       text=_clip(result.delimiter.join(row)))))
            continue
        raw_time, raw_temp = row[time_index].strip(), row[temp_index].strip()
        try:
            stamp = parse_time(raw_time, tz).astimezone(UTC)
        except (ValueError, OverflowError):
            problems.append((number, _("“%(value)s” is not a date and time in the chosen "
                                       "format.", value=_clip(raw_time))))
            continue
        try:
            value = float(raw_temp.replace(",", ".") if comma else raw_temp)
        except ValueError:
            problems.append((number, _("“%(value)s” is not a temperature.",
                                       value=_clip(raw_temp))))
            continue
        if fahrenheit:
            value = (value - 32.0) * 5.0 / 9.0
        if not PLAUSIBLE_MIN_C <= value <= PLAUSIBLE_MAX_C:
            problems.append((number, _("%(value)s °C is not a plausible temperature.",
                                       value=f"{value:.1f}")))
            continue
        if previous is not None:
            if stamp == previous:
                problems.append((number, _("duplicate timestamp %(time)s (same as line "
                                           "%(other)s).", time=raw_time, other=previous_line)))
                continue
            if stamp < previous:
                problems.append((number, _("time goes backwards: %(time)s is earlier than line "
                                           "%(other)s. Readings must be in time order.",
                                           time=raw_time, other=previous_line)))
                continue
        previous, previous_line = stamp, number
        times.append(stamp)
        temps.append(round(value, 2))
    return problems


def _clip(text, length=60):
    return text if len(text) <= length else text[: length - 1] + "…"


def read_options_from_text(data):
    """Return what detection finds in a file (for pre-filling the choices), never raising."""
    try:
        text = decode_text(data[:65536])
    except LoggerFileError:
        return None
    lines = list(_content_lines(text))
    if not lines:
        return None
    delimiter = detect_delimiter(lines[0][1])
    if not delimiter:
        return None
    columns = [c.strip() for c in next(csv.reader(io.StringIO(lines[0][1]),
                                                  delimiter=delimiter))]
    return {"delimiter": delimiter, "columns": columns}
