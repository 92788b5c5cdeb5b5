"""The table inside a logger export: text or .xlsx, metadata above the header, footer below.

Vendors write a block of metadata (serial number, trip, alarm settings) above the header line
and a summary (minimum, maximum, mean kinetic temperature) below the readings. The header is
the first line, within the first ``HEADER_SEARCH_LINES``, that names a time column (or a date
and a time column) and a temperature column.
"""

import csv
import io
import re
from dataclasses import dataclass, field

HEADER_SEARCH_LINES = 80
SEPARATORS = ("\t", ";", ",")

STAMP_NAMES = ("timestamp", "datetime", "date time", "date/time", "date-time", "date & time",
               "date and time", "fecha/hora", "fecha hora", "fecha y hora", "fechahora",
               "datum/zeit", "datum zeit", "datum/uhrzeit", "zeitstempel", "horodatage",
               "time stamp", "reading time", "recorded at", "local time", "utc time")
DATE_NAMES = ("date", "fecha", "datum", "day", "día", "dia")
CLOCK_NAMES = ("time", "hora", "zeit", "uhrzeit", "heure", "clock")
STRONG_HINTS = ("temp", "°c", "°f", "ºc", "ºf", "degc", "degf", "deg c", "deg f")
TEMP_HINTS = STRONG_HINTS + ("value", "valor", "reading", "wert", "t1", "probe", "sensor")
NOT_TEMP = ("humid", "hum.", "rh", "light", "lux", "shock", "lat", "lon", "battery", "alarm",
            "limit", "pressure", "no", "nr", "number", "index", "#", "id", "event", "status",
            "marked", "mark", "comment", "note")
SUMMARY_WORDS = ("min", "max", "avg", "average", "mean", "mkt", "high", "low")
FOOTER_WORDS = ("min", "max", "average", "mean", "mkt", "summary", "total", "end", "stat",
                "alarm", "resumen", "fin", "media", "máx", "mín", "count", "readings", "---",
                "===", "***", "signature", "printed", "page", "report", "number", "no.",
                "duration", "start", "stop", "trip", "logger", "serial", "created", "generated")
_SERIAL = re.compile(
    r"(?:serial(?:\s*(?:number|no\.?|#|nr\.?))?|s/n|sn|logger\s*(?:id|serial)|device\s*(?:id|"
    r"serial)|tracker\s*id|n(?:ú|u)mero\s+de\s+serie|seriennummer)\s*[:=,;\t ]+\s*\"?"
    r"([A-Za-z0-9][A-Za-z0-9._/-]{1,59})", re.IGNORECASE)


@dataclass
class Layout:
    """Where the readings are: a timestamp column, or a date and a time column."""

    stamp: int | None = None
    date: int | None = None
    clock: int | None = None
    temperature: int | None = None
    summary: bool = False
    utc_header: bool = False


@dataclass
class Table:
    """The header, the body rows [(line, cells)], what surrounds them and how it was read."""

    columns: list
    body: list
    layout: Layout
    header_line: int
    delimiter: str = ","
    encoding: str = "utf-8"
    metadata: list = field(default_factory=list)
    blank_before: set = field(default_factory=set)
    kind: str = "text"


def norm(name):
    """Return a column name lower-cased with single spaces."""
    return re.sub(r"\s+", " ", str(name if name is not None else "").strip().strip('"').lower())


def base_name(name):
    """Return the name without units in brackets: 'Temp (°C)' -> 'temp'."""
    return re.sub(r"\s*[\(\[].*?[\)\]]\s*", " ", norm(name)).strip(" :")


def _is_temp(name, hints=TEMP_HINTS):
    n = norm(name)
    base = base_name(name)
    words = re.split(r"[\s_/.,-]+", base)
    if any(w in words for w in ("min", "max", "avg", "mean", "mkt", "tmin", "tmax")):
        return False
    if any(bad == w or (len(bad) > 3 and bad in base) for bad in NOT_TEMP for w in words):
        return False
    return any(h in n for h in hints) or base in ("t", "°c", "°f", "c", "f")


def layout_of(cells, chosen_stamp=None, chosen_temp=None):
    """Return the Layout a header row gives, or None when it is no header."""
    names = [norm(c) for c in cells]
    bases = [base_name(c) for c in cells]
    found = Layout()
    if chosen_stamp:
        found.stamp = names.index(norm(chosen_stamp)) if norm(chosen_stamp) in names else None
    else:
        for index, base in enumerate(bases):
            if base in STAMP_NAMES and found.stamp is None:
                found.stamp = index
            elif base in DATE_NAMES and found.date is None:
                found.date = index
            elif base in CLOCK_NAMES and found.clock is None:
                found.clock = index
        if found.stamp is None and found.date is not None and found.clock is None:
            found.stamp, found.date = found.date, None
        elif found.stamp is None and found.clock is not None and found.date is None:
            found.stamp, found.clock = found.clock, None
        elif found.stamp is not None:
            found.date = found.clock = None
    if found.stamp is None and found.date is None:
        return None
    used = {found.stamp, found.date, found.clock}
    if chosen_temp:
        found.temperature = names.index(norm(chosen_temp)) if norm(chosen_temp) in names \
            else None
    else:
        found.temperature = next((i for hints in (STRONG_HINTS, TEMP_HINTS)
                                  for i, c in enumerate(cells)
                                  if i not in used and _is_temp(c, hints)), None)
    if found.temperature is None:
        words = {w for b in bases for w in re.split(r"[\s_/.,-]+", b)}
        if len(words & set(SUMMARY_WORDS)) >= 2:
            found.summary = True
            return found
        return None
    time_names = [names[i] for i in used if i is not None]
    found.utc_header = any(re.search(r"\b(utc|gmt|z)\b", n) for n in time_names)
    return found


def decode(data):
    """Return (text, encoding) of a logger text export, or None when it is binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        for encoding, nul_odd in (("utf-16-le", True), ("utf-16-be", False)):
            if (head[1::2] if nul_odd else head[0::2]).count(b"\x00") > len(head) // 3:
                try:
                    return data.decode(encoding), encoding
                except UnicodeDecodeError:
                    return None
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    return None


def _split(line, delimiter):
    return [c.strip() for c in next(csv.reader([line], delimiter=delimiter), [])]


def text_table(text, options):
    """Return the Table of a text export, or None when no header line is found."""
    lines = text.splitlines()
    searched = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        searched += 1
        if searched > HEADER_SEARCH_LINES:
            break
        candidates = [options.delimiter] if options.delimiter else sorted(
            (d for d in SEPARATORS if d in line), key=line.count, reverse=True)
        for delimiter in candidates:
            cells = _split(line, delimiter)
            if len(cells) < 2:
                continue
            layout = layout_of(cells, options.timestamp_column, options.temperature_column)
            if layout is not None:
                return _text_body(lines, index, cells, layout, delimiter)
    return None


def _text_body(lines, index, cells, layout, delimiter):
    kept, blanks, previous_blank = [], set(), False
    for number, line in enumerate(lines[index + 1:], start=index + 2):
        if not line.strip() or line.lstrip().startswith("#"):
            previous_blank = previous_blank or not line.strip()
            continue
        kept.append((number, line))
        if previous_blank:
            blanks.add(number)
        previous_blank = False
    # One reader for the whole body: a reader per line costs several times more.
    rows = list(csv.reader((line for _n, line in kept), delimiter=delimiter))
    if len(rows) != len(kept):  # an unclosed quote ran over lines: read them one by one
        rows = [next(csv.reader([line], delimiter=delimiter), []) for _n, line in kept]
    body = [(number, row) for (number, _line), row in zip(kept, rows, strict=True)]
    return Table(columns=cells, body=body, layout=layout, header_line=index + 1,
                 delimiter=delimiter, metadata=lines[:index], blank_before=blanks)


def xlsx_table(data, options, max_rows):
    """Return the Table of the first sheet with a header in an .xlsx export, or None."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            metadata = []
            for number, row in enumerate(rows, start=1):
                if number > HEADER_SEARCH_LINES:
                    break
                cells = ["" if c is None else c for c in row]
                texts = [str(c).strip() if isinstance(c, str) else "" for c in cells]
                layout = layout_of(texts, options.timestamp_column, options.temperature_column) \
                    if sum(1 for t in texts if t) >= 2 else None
                if layout is None:
                    metadata.append(" ".join(str(c) for c in cells if c != ""))
                    continue
                body = []
                for line, values in enumerate(rows, start=number + 1):
                    if len(body) > max_rows:
                        break
                    values = ["" if c is None else c for c in values]
                    if any(str(v).strip() for v in values):
                        body.append((line, values))
                return Table(columns=texts, body=body, layout=layout, header_line=number,
                             metadata=metadata, kind="xlsx", encoding="xlsx")
    finally:
        book.close()
    return None


def serial_in(metadata):
    """Return the logger serial number the metadata block names, or None."""
    for line in metadata:
        match = _SERIAL.search(str(line))
        if match:
            return match.group(1)
    return None


def is_footer(cells):
    """Return True when a row reads as a summary or closing line rather than a reading."""
    first = next((str(c).strip().lower() for c in cells if str(c).strip()), "")
    return first.startswith(FOOTER_WORDS) or first.rstrip(":") in FOOTER_WORDS
