"""Read a temperature logger's export (CSV, TXT or .xlsx) as the vendors write it.

Metadata above the header and summaries below it are skipped; separate date and time columns
are merged; the date order is decided from the whole column and asked of the user when the
file cannot tell; times without a zone are in the chosen local zone. Every row is checked and
a file with any bad row is refused whole.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.coldchain import logger_table as table_mod
from app.coldchain.logger_presets import PRESETS, recognise
from app.coldchain.logger_times import (
    AmbiguousDates,
    MixedDates,
    decide_date_order,
    from_cells,
    to_utc,
)
from app.core.errors import DomainError

# A 100,000-reading export is about 3 MB; anything far larger is not one trip's logger file.
MAX_LOGGER_BYTES = 10 * 1024 * 1024
MAX_READINGS = 200_000
MAX_PROBLEMS_SHOWN = 50
# Plausible physical range (dry ice is -78 C, LN2 dry shippers and cryo tanks -196 C).
PLAUSIBLE_MIN_C, PLAUSIBLE_MAX_C = -200.0, 100.0
DEFAULT_TIMEZONE = "Europe/Madrid"

DELIMITERS = {",": _l("Comma (,)"), ";": _l("Semicolon (;)"), "\t": _l("Tab")}
UNITS = {"C": _l("Celsius (°C)"), "F": _l("Fahrenheit (°F)")}
TIME_FORMATS = {
    "iso": _l("ISO 8601 (2026-03-01 14:05:00)"),
    "dmy": _l("Day first (05/11/2026 14:05)"),
    "mdy": _l("Month first (11/05/2026 2:05 PM)"),
    "excel": _l("Excel dates"),
}
DATE_ORDERS = ("dmy", "mdy")  # what the user chooses when the file cannot tell
TIMEZONES = {
    "Europe/Madrid": _l("Spain, mainland and Balearics (Europe/Madrid)"),
    "Atlantic/Canary": _l("Canary Islands (Atlantic/Canary)"),
    "UTC": _l("UTC"),
    "Europe/Lisbon": _l("Portugal (Europe/Lisbon)"),
    "Europe/London": _l("United Kingdom (Europe/London)"),
    "Europe/Paris": _l("Central Europe (Europe/Paris)"),
    "America/New_York": _l("US Eastern (America/New_York)"),
    "America/Chicago": _l("US Central (America/Chicago)"),
    "America/Los_Angeles": _l("US Pacific (America/Los_Angeles)"),
}
_UNIT_SUFFIX = re.compile(r"(?<=[\d.])\s*(?:°\s*|º\s*|deg\s*)?([CcFf])$")


class LoggerFileError(DomainError):
    """The file was refused; ``problems`` lists (line number or None, message).

    ``ask`` is "date_order" when the file cannot tell day-first from month-first: the user
    must choose, ``samples`` shows the first and last date read both ways.
    """

    def __init__(self, message, problems=(), total=None, ask=None, samples=None):
        super().__init__(message, "time_format" if ask == "date_order" else None)
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        self.ask = ask
        self.samples = samples or {}


@dataclass
class ParseOptions:
    """What the user chose; None means detect it from the file."""

    delimiter: str | None = None
    timestamp_column: str | None = None
    temperature_column: str | None = None
    decimal_comma: bool | None = None
    unit: str | None = None
    time_format: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    preset: str | None = None


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
    timezone: str = DEFAULT_TIMEZONE
    serial: str | None = None
    preset: str | None = None
    header_line: int = 1
    encoding: str = "utf-8"
    footer_lines: int = 0
    zone_in_file: bool = False

    @property
    def count(self):
        """Return the number of readings."""
        return len(self.times)


def parse_logger_file(data, options=None):
    """Return a ParsedLogger for the bytes, or raise LoggerFileError listing every bad line."""
    options = options or ParseOptions()
    check_size(data)
    if options.preset in PRESETS:
        options = PRESETS[options.preset].apply(options)
    table = _table(data, options)
    layout = table.layout
    if layout.summary:
        raise LoggerFileError(_("This file holds a summary (minimum and maximum per day or per "
                                "trip), not the logger's individual readings. Export the full "
                                "reading list (every measurement with its time) and upload "
                                "that."))
    body = _without_footer(table)
    if not body:
        raise LoggerFileError(_("The file has a header but no readings."))
    if len(body) > MAX_READINGS:
        raise LoggerFileError(_("The file has %(n)s readings; at most %(max)s are accepted.",
                                n=len(body), max=MAX_READINGS))
    zone_name = "UTC" if layout.utc_header else (
        options.timezone if options.timezone in TIMEZONES else DEFAULT_TIMEZONE)
    order = _date_order(body, layout, options, ZoneInfo(zone_name))
    columns = [str(c) for c in table.columns]
    temp_name = columns[layout.temperature]
    result = ParsedLogger(
        columns=columns, delimiter=table.delimiter,
        timestamp_column=" + ".join(columns[i] for i in (layout.stamp, layout.date, layout.clock)
                                    if i is not None),
        temperature_column=temp_name, unit=options.unit or _unit(temp_name, body, layout),
        time_format=order or ("excel" if table.kind == "xlsx" else "iso"), timezone=zone_name,
        serial=table_mod.serial_in(table.metadata), header_line=table.header_line,
        encoding=table.encoding, footer_lines=len(table.body) - len(body),
        preset=options.preset or recognise(table.metadata, columns))
    result.decimal_comma = (options.decimal_comma if options.decimal_comma is not None
                            else _decimal_comma(body, layout.temperature))
    problems = _read_rows(body, layout, result, order, ZoneInfo(zone_name))
    if problems:
        raise LoggerFileError(
            ngettext("The file was not stored: %(num)s line has a problem. Correct the export "
                     "settings (or choose the columns, separator, decimal mark, unit or date "
                     "order below) and upload the file again.",
                     "The file was not stored: %(num)s lines have problems. Correct the export "
                     "settings (or choose the columns, separator, decimal mark, unit or date "
                     "order below) and upload the file again.", len(problems)),
            problems[:MAX_PROBLEMS_SHOWN], total=len(problems))
    return result


parse_logger_csv = parse_logger_file


def check_size(data):
    """Refuse an empty file or one far larger than a trip's export, before reading it."""
    if len(data) > MAX_LOGGER_BYTES:
        raise LoggerFileError(_("The file is larger than %(mb)s MB. A logger export of one "
                                "trip is far smaller: check that this is the right file.",
                                mb=MAX_LOGGER_BYTES // (1024 * 1024)))
    if not data.strip():
        raise LoggerFileError(_("The file is empty."))


def _table(data, options):
    if data.startswith(b"PK\x03\x04"):
        try:
            found = table_mod.xlsx_table(data, options, MAX_READINGS)
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise LoggerFileError(_("This Excel file cannot be read. Export the logger data "
                                    "as .xlsx or CSV again and upload that.")) from error
        if found is None:
            raise LoggerFileError(_("No sheet of this Excel file has a header with a time and "
                                    "a temperature column."))
        return found
    decoded = table_mod.decode(data)
    if decoded is None:
        raise LoggerFileError(_("This is not a logger export that can be read: it is neither "
                                "text (CSV, TXT) nor an Excel .xlsx file. Export the logger "
                                "data as CSV or .xlsx and upload that."))
    text, encoding = decoded
    if text.lstrip().startswith(("{", "[", "<")):
        raise LoggerFileError(_("This looks like JSON, XML or HTML, not CSV. Export the logger "
                                "data as CSV (timestamp and temperature) and upload that."))
    found = table_mod.text_table(text, options)
    if found is None:
        raise _no_header(text, options)
    found.encoding = encoding
    return found


def _no_header(text, options):
    lines = [line for line in text.splitlines() if line.strip()][:table_mod.HEADER_SEARCH_LINES]
    if not any(d in line for line in lines for d in table_mod.SEPARATORS):
        return LoggerFileError(_("Line %(line)s: no comma, semicolon or tab separates the "
                                 "columns. A logger export has a header such as "
                                 "“timestamp,temperature”.", line=1))
    first = lines[0]
    delimiter = options.delimiter or max(table_mod.SEPARATORS, key=first.count)
    columns = ", ".join(c for c in table_mod._split(first, delimiter) if c)
    for chosen, kind in ((options.timestamp_column, _("timestamp")),
                         (options.temperature_column, _("temperature"))):
        if chosen:
            return LoggerFileError(_("The %(kind)s column “%(name)s” is not in the file. "
                                     "Columns found: %(found)s.", kind=kind, name=chosen,
                                     found=columns))
    return LoggerFileError(_("No timestamp column was found in the first %(n)s lines. Columns "
                             "found: %(found)s. Choose the timestamp and temperature columns "
                             "below.", n=table_mod.HEADER_SEARCH_LINES, found=columns))


def _time_cells(cells, layout):
    first = layout.stamp if layout.stamp is not None else layout.date
    clock = cells[layout.clock] if layout.clock is not None and layout.clock < len(cells) \
        else None
    return (cells[first] if first < len(cells) else ""), clock


def _looks_like_reading(cells, layout):
    value, _clock = _time_cells(cells, layout)
    return isinstance(value, datetime) or bool(re.match(r"^\s*\d", str(value)))


def _without_footer(table):
    """Return the body without its trailing summary lines."""
    body, layout = table.body, table.layout
    end = len(body)
    while end and (table_mod.is_footer(body[end - 1][1])
                   or not str(_time_cells(body[end - 1][1], layout)[0]).strip()):
        end -= 1
    # A block after a blank line where no row starts with a date is a footer too.
    for index in range(end - 1, -1, -1):
        if body[index][0] in table.blank_before:
            if not any(_looks_like_reading(cells, layout) for _n, cells in body[index:end]):
                end = index
            break
    return body[:end]


def _date_order(body, layout, options, zone):
    if options.time_format in ("dmy", "mdy"):
        return options.time_format
    samples = []
    for number, cells in body:
        value, _clock = _time_cells(cells, layout)
        if isinstance(value, str):
            samples.append((number, value))
    try:
        return decide_date_order(samples)
    except MixedDates as mixed:
        day_line, month_line = mixed.args
        raise LoggerFileError(_("The dates mix two orders: line %(a)s can only be day first "
                                "and line %(b)s only month first. Export the file again with "
                                "one date format.", a=day_line, b=month_line)) from None
    except AmbiguousDates:
        raise LoggerFileError(
            _("The dates in this file fit both day first and month first (no day is above "
              "12). Choose the date order below; nothing is guessed."),
            ask="date_order", samples=_both_ways(samples, zone)) from None


def _both_ways(samples, zone):
    shown = {}
    for order in ("dmy", "mdy"):
        try:
            shown[order] = [from_cells(value, None, order, zone).strftime("%d %b %Y %H:%M")
                            for _n, value in (samples[0], samples[-1])]
        except (ValueError, OverflowError):
            shown[order] = []
    return shown


def _unit(name, body, layout):
    n = table_mod.norm(name)
    if "°f" in n or "degf" in n or "deg f" in n or "fahrenheit" in n \
            or re.search(r"[\(\[]\s*f\s*[\)\]]", n):
        return "F"
    for _number, cells in body[:20]:
        if layout.temperature < len(cells):
            match = _UNIT_SUFFIX.search(str(cells[layout.temperature]).strip())
            if match:
                return match.group(1).upper()
    return "C"


def _decimal_comma(body, index):
    for _number, row in body[:200]:
        if len(row) > index and isinstance(row[index], str):
            value = row[index].strip()
            if "," in value and "." not in value:
                return True
            if "." in value:
                return False
    return False


def _temperature(raw, comma, fahrenheit):
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    elif not comma and raw[-1:].isdigit():
        value = float(raw)  # the common case, without the unit-suffix expression
    else:
        text = _UNIT_SUFFIX.sub("", str(raw).strip()).replace("\u2212", "-")
        value = float(text.replace(",", ".") if comma else text)
    if not math.isfinite(value):
        raise ValueError(raw)
    return (value - 32.0) * 5.0 / 9.0 if fahrenheit else value


def _read_rows(body, layout, result, order, zone):
    """Fill result with the readings; return the list of (line, message) problems."""
    fahrenheit, comma = result.unit == "F", result.decimal_comma
    needed = max(i for i in (layout.stamp, layout.date, layout.clock, layout.temperature)
                 if i is not None) + 1
    problems, previous, previous_line = [], None, None
    for number, row in body:
        if len(row) < needed:
            problems.append((number, _("expected at least %(n)s columns, found %(found)s: "
                                       "“%(text)s”", n=needed, found=len(row),
                                       text=_clip(result.delimiter.join(map(str, row))))))
            continue
        value, clock = _time_cells(row, layout)
        try:
            local = from_cells(value, clock, order, zone)
            stamp = to_utc(local, previous)
        except (ValueError, OverflowError, TypeError):
            shown = f"{value} {clock}" if clock not in (None, "") else str(value)
            problems.append((number, _("“%(value)s” is not a date and time in the chosen "
                                       "format.", value=_clip(shown))))
            continue
        result.zone_in_file = result.zone_in_file or local.tzinfo is not zone
        raw = row[layout.temperature]
        try:
            celsius = _temperature(raw, comma, fahrenheit)
        except (ValueError, OverflowError):
            problems.append((number, _("“%(value)s” is not a temperature.",
                                       value=_clip(str(raw)))))
            continue
        if not PLAUSIBLE_MIN_C <= celsius <= PLAUSIBLE_MAX_C:
            problems.append((number, _("%(value)s °C is not a plausible temperature (%(low)s "
                                       "to %(high)s °C).", value=_shown(celsius),
                                       low=PLAUSIBLE_MIN_C, high=PLAUSIBLE_MAX_C)))
            continue
        if previous is not None and stamp <= previous:
            problems.append((number, _time_problem(stamp, previous, value, previous_line)))
            continue
        previous, previous_line = stamp, number
        result.times.append(stamp)
        result.temperatures.append(round(celsius, 2))
    return problems


def _shown(value):
    return f"{value:.1f}" if abs(value) < 1e9 else f"{value:.3g}"


def _time_problem(stamp, previous, raw, previous_line):
    if stamp == previous:
        return _("duplicate timestamp %(time)s (same as line %(other)s).", time=raw,
                 other=previous_line)
    return _("time goes backwards: %(time)s is earlier than line %(other)s. Readings must be "
             "in time order.", time=raw, other=previous_line)


def _clip(text, length=60):
    return text if len(text) <= length else text[: length - 1] + "…"


def read_options_from_text(data):
    """Return what detection finds in a file (for pre-filling the choices), never raising."""
    try:
        found = _table(data, ParseOptions())
    except (LoggerFileError, ValueError):
        return None
    return {"delimiter": found.delimiter, "columns": [str(c) for c in found.columns]}

