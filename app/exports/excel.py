"""Write sheets of rows to .xlsx with openpyxl's streaming writer."""

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import chain, islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .downloads import safe_download_name, send_download
from .excel_streaming import add_streaming_sheet, save_reporting

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"

# OWASP's list of prefixes that make Excel or LibreOffice read text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# After "+", "-" or "@" a formula needs a function call, a sheet or DDE reference, a cell
# reference or an operator between operands; a phone number (+34 910 000 111), a signed
# number (-5) or a dash before words (- see note) is ordinary text.
_FORMULA_BODY = re.compile(
    r"[A-Za-z_][\w.]*\s*\(|[!|]|(?<![\w])\$?[A-Za-z]{1,3}\$?\d+(?![\w])"
    r"|[\d)]\s*[-+*/^&<>=]\s*[\d(A-Za-z]")


class FormulaText(str):
    """Text that a spreadsheet would read as a formula: written as a quote-prefixed text cell
    (Excel's own mark; no apostrophe shows in the cell)."""


def looks_like_formula(text):
    """Return True when a spreadsheet would read the text as a formula."""
    stripped = text.lstrip(" \t\r\n")
    if not stripped.startswith(FORMULA_PREFIXES):
        return False
    return stripped.startswith("=") or bool(_FORMULA_BODY.search(stripped[1:]))

_INVALID_TITLE_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_MAX_TITLE_LENGTH = 31
_RESERVED_TITLES = {"history"}  # Excel keeps this name for change tracking

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_THIN = Side(style="thin", color="808080")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

_WIDTH_SAMPLE_ROWS = 50
_MIN_WIDTH, _MAX_WIDTH = 8, 60

# Rendered exports stay in memory up to this size, then spill to disk.
_SPOOL_MAX_MEMORY = 16 * 1024 * 1024


@dataclass
class Sheet:
    """One worksheet: headers, lazily consumed rows and optional layout hints.

    number_formats maps a 0-based column index to an Excel number format that
    overrides the default (money for Decimal, ISO dates for date/datetime).
    """

    title: str
    headers: list[str]
    rows: Iterable[Sequence]
    widths: list[int] | None = None
    number_formats: dict[int, str] | None = None


def neutralise(value):
    """Return value in a form a spreadsheet stores as data, never as a formula."""
    if isinstance(value, bytes):
        # openpyxl would decode these itself and could then find a formula.
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        if not value.isprintable():  # cheap test that spares clean text the regex
            # openpyxl refuses these control characters rather than dropping them.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return FormulaText(value) if looks_like_formula(value) else value
    if isinstance(value, datetime) and value.tzinfo is not None:
        # openpyxl rejects aware datetimes; the house convention is UTC.
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def sanitise_sheet_title(title, taken=()):
    """Return title made valid and unique (case-insensitively) for an Excel sheet."""
    clean = _INVALID_TITLE_CHARS.sub("_", str(title or "")).strip().strip("'")
    clean = clean[:_MAX_TITLE_LENGTH].strip() or "Sheet"
    taken_lower = {name.lower() for name in taken} | _RESERVED_TITLES
    candidate, number = clean, 1
    while candidate.lower() in taken_lower:
        number += 1
        suffix = f" ({number})"
        candidate = clean[: _MAX_TITLE_LENGTH - len(suffix)] + suffix
    return candidate


def write_xlsx(stream, sheets, on_save=None):
    """Write sheets to stream as an .xlsx workbook, consuming rows lazily.

    ``on_save(bytes done, bytes total)`` is called while the rows are compressed into the
    file at the end (see save_reporting).
    """
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        title = sanitise_sheet_title(sheet.title, workbook.sheetnames)
        _write_sheet(add_streaming_sheet(workbook, title), sheet)
    if not workbook.sheetnames:
        workbook.create_sheet(title="Sheet")  # Excel refuses a workbook without sheets
    if on_save is None:
        workbook.save(stream)
    else:
        save_reporting(workbook, stream, on_save)


def write_xlsx_file(path, sheets, progress=None):
    """Write sheets to a file at path; call ``progress(rows written)`` as rows go out, then
    ``progress(rows written, saved=fraction)`` while they are compressed into the file."""
    on_save = None
    if progress is not None:
        done = [0]
        sheets = [Sheet(title=s.title, headers=s.headers, rows=_counted(s.rows, progress, done),
                        widths=s.widths, number_formats=s.number_formats) for s in sheets]

        def on_save(written, size):
            progress(done[0], saved=written / size if size else 1.0)
    with open(path, "wb") as stream:
        write_xlsx(stream, sheets, on_save)
        stream.flush()
        os.fsync(stream.fileno())


def _counted(rows, progress, done):
    """Yield rows, reporting the running count over every sheet of the workbook."""
    for row in rows:
        yield row
        done[0] += 1
        if done[0] % 200 == 0:
            progress(done[0])
    progress(done[0])


def xlsx_response(filename, sheets):
    """Return a download response with sheets rendered as an .xlsx file."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX_MEMORY)
    try:
        write_xlsx(spool, sheets)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return send_download(
        spool,
        mimetype=XLSX_MIMETYPE,
        download_name=safe_download_name(filename, ".xlsx"),
        size=size,
    )


def _write_sheet(worksheet, sheet):
    """Stream one sheet: layout first, since write-only mode fixes it at the first row."""
    headers = list(sheet.headers)
    rows = iter(sheet.rows)
    widths = sheet.widths
    if widths is None:
        # Copied, so a row given as a one-shot iterator survives being measured.
        sample = [list(row) for row in islice(rows, _WIDTH_SAMPLE_ROWS)]
        widths = _estimate_widths(headers, sample)
        rows = chain(sample, rows)
    for index, width in enumerate(widths, 1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    if headers:
        worksheet.freeze_panes = "A2"
        worksheet.append([_header_cell(worksheet, text) for text in headers])

    column_styles = _column_styles(worksheet, sheet.number_formats or {})
    money_style = _style_with_format(worksheet, MONEY_FORMAT)
    row_count = 0
    for row in rows:
        worksheet.append(_prepare_row(worksheet, row, column_styles, money_style))
        row_count += 1

    # The filter is serialised after the rows, so write-only mode accepts it now.
    if headers:
        last_column = get_column_letter(len(headers))
        worksheet.auto_filter.ref = f"A1:{last_column}{row_count + 1}"


def _prepare_row(worksheet, row, column_styles, money_style):
    """Return row neutralised, with styled cells only where a number format is needed."""
    prepared = []
    for index, value in enumerate(row):
        value = neutralise(value)
        if type(value) is FormulaText:
            prepared.append(text_cell(worksheet, value))
            continue
        style = column_styles.get(index) if column_styles else None
        if style is None and type(value) is Decimal:
            style = money_style
        if style is not None and value is not None:
            # Plain values reuse one cell inside openpyxl; only formatted ones pay for their own.
            value = Cell(worksheet, row=1, column=1, value=value, style_array=style)
        prepared.append(value)
    return prepared


def _header_cell(worksheet, text):
    """Return a bold, filled, bordered header cell."""
    # str() resolves lazy_gettext headers, which openpyxl cannot store.
    cell = text_cell(worksheet, neutralise(str(text)))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.border = _HEADER_BORDER
    return cell


def text_cell(worksheet, text):
    """Return a cell that holds text as text; formula-like text gets Excel's quote prefix."""
    cell = WriteOnlyCell(worksheet)
    cell._value = str(text)
    cell.data_type = "s"
    if type(text) is FormulaText:
        cell.quotePrefix = True
    return cell


def _style_with_format(worksheet, number_format):
    """Return the style array of a cell carrying number_format, for reuse."""
    cell = WriteOnlyCell(worksheet)
    cell.number_format = number_format
    return cell._style


def _column_styles(worksheet, number_formats):
    """Return a style array per 0-based column index from number_formats."""
    return {
        index: _style_with_format(worksheet, number_format)
        for index, number_format in number_formats.items()
    }


def _estimate_widths(headers, sample_rows):
    """Return column widths fitting the headers and a sample of the first rows."""
    column_count = max([len(headers), *(len(row) for row in sample_rows)], default=0)
    lengths = [0] * column_count
    for row in [headers, *sample_rows]:
        for index, value in enumerate(row):
            lengths[index] = max(lengths[index], _display_length(value))
    return [min(max(length + 2, _MIN_WIDTH), _MAX_WIDTH) for length in lengths]


def _display_length(value):
    """Return roughly how many characters value takes on screen."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19  # yyyy-mm-dd h:mm:ss
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)
