"""A 100 x 150 mm courier label (the thermal-printer size couriers use), drawn on a canvas.

Every text is wrapped to its box; what still does not fit ends with a visible ellipsis.
"""

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from .barcodes import code128
from .pdf_fonts import FONT, FONT_BOLD, register_fonts
from .pdf_page import _fit

LABEL_SIZE = (100 * mm, 150 * mm)
_MARGIN = 4 * mm


@dataclass
class CourierLabel:
    """What a courier label shows; text lists are printed one line each (wrapped)."""

    title: str
    sender_heading: str
    sender: list
    recipient_heading: str
    recipient: list
    contact: str
    storage: str
    barcode: str
    details: list
    footer: str


def fit_lines(text, font, size, width, max_lines):
    """Return text wrapped to width; the last kept line ends with … when text is left over."""
    lines = simpleSplit(str(text or ""), font, size, width) or [""]
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = _fit(kept[-1] + " " + " ".join(lines[max_lines:]), font, size, width)
    if not kept[-1].endswith("…"):
        kept[-1] = _fit(kept[-1] + "…", font, size, width - 1)
    return kept


def _block(canvas, top, heading, lines, size, max_lines, bold_first=False):
    """Draw a heading and wrapped lines from top down; return the y below them."""
    width = LABEL_SIZE[0] - 2 * _MARGIN
    canvas.setFont(FONT_BOLD, 6.5)
    canvas.drawString(_MARGIN, top, heading.upper())
    y = top - size - 1.5
    budget = max_lines
    for index, text in enumerate(line for line in lines if line):
        font = FONT_BOLD if bold_first and index == 0 else FONT
        for part in fit_lines(text, font, size, width, max(1, budget)):
            if budget <= 0:
                return y
            canvas.setFont(font, size)
            canvas.drawString(_MARGIN, y, part)
            y -= size + 1.5
            budget -= 1
    return y


def courier_label_pdf(label):
    """Return the bytes of a one-page 100 x 150 mm label."""
    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=LABEL_SIZE, initialFontName=FONT)
    canvas.setTitle(label.title)
    width, height = LABEL_SIZE
    y = _block(canvas, height - _MARGIN - 6, label.sender_heading, label.sender, 7.5, 4)
    canvas.line(_MARGIN, y + 3, width - _MARGIN, y + 3)
    y = _block(canvas, y - 6, label.recipient_heading, label.recipient, 11, 6, bold_first=True)
    y = _block(canvas, y - 2, "", [label.contact], 9, 2, bold_first=True)
    canvas.setLineWidth(1.2)
    box = 13 * mm
    canvas.rect(_MARGIN, y - box + 4, width - 2 * _MARGIN, box)
    canvas.setFont(FONT_BOLD, 12)
    for index, part in enumerate(fit_lines(label.storage, FONT_BOLD, 12,
                                           width - 2 * _MARGIN - 4 * mm, 2)):
        canvas.drawCentredString(width / 2, y - 5 * mm - index * 13, part)
    y -= box + 2
    canvas.setLineWidth(0.5)
    _block(canvas, y, "", label.details, 7.5, 3)
    drawing = code128(label.barcode, bar_height=18 * mm, bar_width=1.1)
    scale = min(1.0, (width - 2 * _MARGIN) / drawing.width)
    canvas.saveState()
    canvas.translate((width - drawing.width * scale) / 2, _MARGIN + 9)
    canvas.scale(scale, scale)
    renderPDF.draw(drawing, canvas, 0, 0)
    canvas.restoreState()
    canvas.setFont(FONT_BOLD, 7)
    canvas.drawCentredString(width / 2, _MARGIN, _fit(label.footer, FONT_BOLD, 7,
                                                      width - 2 * _MARGIN))
    canvas.showPage()
    canvas.save()
    return out.getvalue()
