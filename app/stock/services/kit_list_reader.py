"""Read a kit list as RTSM vendors deliver it: CSV (UTF-8 or Windows-1252, ``,`` or ``;``) or
Excel, with title rows above the header, vendor column names, number formats that carry
leading zeros, Excel dates, footer lines and a cover sheet before the list."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

HEADER_SEARCH_ROWS = 30
COLUMN_NAMES = {
    "kit": ("kit", "kit number", "kit_number", "kit no", "kit no.", "kit nr", "kit #", "kit id",
            "kit_id", "kitid", "kit code", "medication number", "med id", "pack number",
            "número de kit", "numero de kit", "nº kit", "n° kit", "kit n"),
    "lot": ("lot", "lot number", "lot no", "lot no.", "lot #", "blinded lot", "blinded_lot",
            "batch", "batch number", "batch no", "batch no.", "lote", "lote ciego",
            "número de lote", "numero de lote"),
    "expiry": ("expiry", "expiry date", "exp date", "expiration date", "expiration",
               "caducidad", "fecha de caducidad"),
    "sequence": ("sequence", "sequence number", "seq", "seq no", "seq no.", "sequence no",
                 "block sequence", "secuencia"),
}
COLUMN_LABELS = {"kit": _l("kit number"), "lot": _l("blinded lot"),
                 "sequence": _l("sequence (shown, not stored)"),
                 "expiry": _l("expiry (shown, not stored: the lot's expiry applies)")}
FOOTER_WORDS = ("total", "end of", "generated", "printed", "page ", "confidential", "count",
                "fin ", "total de", "generado", "número de kits", "number of kits", "signature")
_ZERO_FORMAT = re.compile(r'^(?:"[^"]*")?(0+)(?:"[^"]*")?$')


@dataclass
class KitTable:
    """The header row, the body rows [(row number, cells)], the mapping, the sheet chosen."""

    header_line: int
    columns: dict
    headers: list
    body: list
    sheet: str | None = None
    sheets: list = field(default_factory=list)
    footer_lines: int = 0
    encoding: str | None = None


def _norm(text):
    return re.sub(r"[\s_]+", " ", str(text or "").strip().lower()).strip(" :")


def map_columns(cells):
    """Return {key: index} of the columns a header row names."""
    found = {}
    for index, cell in enumerate(cells):
        name = _norm(cell)
        for key, names in COLUMN_NAMES.items():
            if name in names and key not in found:
                found[key] = index
    return found


def cell_text(cell):
    """Return a cell's value as the text the spreadsheet shows (number formats applied)."""
    value = getattr(cell, "value", cell)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            text = str(int(value))
            match = _ZERO_FORMAT.match(getattr(cell, "number_format", "") or "")
            return text.zfill(len(match.group(1))) if match else text
        return repr(float(value))
    return str(value).strip()


def _excel_sheets(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise DomainError(_("This Excel file cannot be read."), "file") from error
    try:
        for sheet in book.worksheets:
            yield sheet.title, [(n, [cell_text(c) for c in row]) for n, row in
                                enumerate(sheet.iter_rows(), 1)]
    finally:
        book.close()


def _csv_rows(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(_("The CSV file must be UTF-8 or Windows-1252 text."), "file")
    if "\x00" in text:
        raise DomainError(_("The CSV file must be UTF-8 or Windows-1252 text."), "file")
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max((";", ",", "\t"), key=lambda d: max((line.count(d) for line in lines),
                                                        default=0))
    rows = [(n, [c.strip() for c in row])
            for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]
    return rows, "cp1252" if encoding == "cp1252" else "utf-8"


def _header_index(rows):
    for index, (_n, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = map_columns(cells)
        if "kit" in columns and "lot" in columns:
            return index, columns
    return None, None


def _is_footer(cells, columns):
    filled = [c for c in cells if c]
    kit = cells[columns["kit"]] if columns["kit"] < len(cells) else ""
    lot = cells[columns["lot"]] if columns["lot"] < len(cells) else ""
    if not filled:
        return True
    first = filled[0].lower()
    return (first.startswith(FOOTER_WORDS) or (len(filled) == 1 and " " in filled[0])) \
        and not (kit and lot)


def read_rows(data, filename):
    """Return the first sheet's (or the CSV's) rows [(row number, cells)], cells as shown."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        for _name, rows in _excel_sheets(data):
            return rows
        return []
    return _csv_rows(data)[0]


def table_of_rows(rows):
    """Return the KitTable of rows [(row number, cells)] whose first row is the header."""
    if not rows:
        return None
    header_line, headers = rows[0]
    return KitTable(header_line=header_line, columns=map_columns(headers), headers=headers,
                    body=[(n, cells) for n, cells in rows[1:] if any(cells)])


def read_table(data, filename, sheet=None):
    """Return the KitTable of an upload; raise DomainError when no header row is found."""
    excel = filename.lower().endswith(".xlsx") or data[:2] == b"PK"
    sources = list(_excel_sheets(data)) if excel else [(None, _csv_rows(data)[0])]
    names = [name for name, _rows in sources]
    if sheet:
        sources = [s for s in sources if s[0] == sheet]
        if not sources:
            raise DomainError(_("The workbook has no sheet named %(name)s.", name=sheet), "sheet")
    for name, rows in sources:
        index, columns = _header_index(rows)
        if index is None:
            continue
        body = [(n, cells) for n, cells in rows[index + 1:]]
        end = len(body)
        while end and _is_footer(body[end - 1][1], columns):
            end -= 1
        kept = [(n, cells) for n, cells in body[:end] if any(cells)]
        return KitTable(header_line=rows[index][0], columns=columns, headers=rows[index][1],
                        body=kept, sheet=name, sheets=names,
                        footer_lines=sum(1 for _n, c in body[end:] if any(c)),
                        encoding=None if excel else _csv_rows(data)[1])
    if excel and len(names) > 1 and not sheet:
        raise DomainError(_("No sheet of the workbook (%(names)s) has a header row naming the "
                            "kit number and lot columns in its first %(n)s rows.",
                            names=", ".join(names), n=HEADER_SEARCH_ROWS), "file")
    raise DomainError(_("No header row naming the kit number and lot columns was found in the "
                        "first %(n)s rows (for example “Kit Number” and “Lot Number”).",
                        n=HEADER_SEARCH_ROWS), "file")
