"""Paragraph styles, escaped paragraphs and tables for PDF stories."""

import re
from datetime import UTC, datetime
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from .pdf_fonts import FONT, FONT_BOLD, register_fonts

# XML 1.0, which reportlab's paragraph parser follows, has no place for these.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A row taller than a page (a 10,000-character comment) may split across pages
# once at least this many points fit; otherwise reportlab raises LayoutError.
_MIN_ROW_SPLIT_HEIGHT = 20

_TABLE_STYLE = TableStyle(
    [
        # Cells are paragraphs, but the table still sets its cell font (Helvetica by
        # default, never embedded) on the canvas: name the embedded one.
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def styles():
    """Return a fresh paragraph stylesheet set in DejaVu Sans, free to modify."""
    register_fonts()
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        # The samples use Helvetica-Bold for headings, Helvetica or Courier for the rest.
        if isinstance(style, ParagraphStyle):
            style.fontName = FONT_BOLD if "Bold" in style.fontName else FONT
            style.bulletFontName = style.fontName
        else:
            style.bulletFontName = FONT
    sheet.add(ParagraphStyle("TableCell", parent=sheet["Normal"], fontSize=8, leading=10))
    sheet.add(ParagraphStyle("TableHeader", parent=sheet["TableCell"], fontName=FONT_BOLD))
    sheet.add(ParagraphStyle("Small", parent=sheet["Normal"], fontSize=7.5, leading=9.5))
    return sheet


@cache
def shared_styles():
    """Return the stylesheet para() and table() use; copy a style before changing it."""
    return styles()


def para(text, style="Normal"):
    """Return a Paragraph that shows text literally, whatever markup it contains."""
    if not isinstance(style, ParagraphStyle):
        style = shared_styles()[style]
    return Paragraph(escape_text(text), style)


def escape_text(text):
    """Return text escaped for reportlab's paragraph markup, line breaks kept."""
    text = "" if text is None else str(text)
    text = _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return escape(text).replace("\n", "<br/>")


def table(headers, rows, col_widths=None):
    """Return a styled table with a header row repeated on every page and wrapped cells."""
    sheet = shared_styles()
    data = [[para(header, sheet["TableHeader"]) for header in headers]]
    data += [[_cell(value, sheet["TableCell"]) for value in row] for row in rows]
    if col_widths is None and headers:
        col_widths = [f"{100 / len(headers):.4f}%"] * len(headers)
    result = Table(
        data,
        colWidths=col_widths,
        repeatRows=1,
        splitInRow=_MIN_ROW_SPLIT_HEIGHT,
        hAlign="LEFT",
    )
    result.setStyle(_TABLE_STYLE)
    return result


def format_utc(moment):
    """Return moment as 'YYYY-MM-DD HH:MM:SS UTC'; naive values are taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _cell(value, style):
    """Return value as a table cell: flowables as given, everything else as text."""
    if isinstance(value, Flowable):
        return value
    if isinstance(value, datetime):
        value = format_utc(value)
    return para(value, style)
