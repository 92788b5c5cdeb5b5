"""Put PDF parts together and number their pages once over the whole document.

Each page may also carry a note (for an appended receipt: the claim reference and the line it
belongs to), printed at its foot on a white band so it stays legible over any page.
"""

import io

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .pdf_fonts import FONT, FONT_BOLD, register_fonts
from .pdf_page import _fit

_SIZE = 7.5


def _overlay(width, height, page, total, note):
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), initialFontName=FONT)
    margin = min(18 * mm, width * 0.08)
    y = min(8 * mm, height * 0.03)
    label = _("Page %(page)s of %(total)s", page=page, total=total)
    if note:
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(0, 0, width, y + _SIZE + 5, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(FONT_BOLD, _SIZE)
        room = width - 2 * margin - canvas.stringWidth(label, FONT, _SIZE) - 6 * mm
        canvas.drawString(margin, y, _fit(note, FONT_BOLD, _SIZE, room))
    canvas.setFont(FONT, _SIZE)
    canvas.drawRightString(width - margin, y, label)
    canvas.showPage()
    canvas.save()
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(out.getvalue())).pages[0]


def assemble(parts):
    """Return one PDF of parts [(pdf bytes, note or None)], every page numbered "n of N"."""
    from pypdf import PdfReader, PdfWriter  # here: 13 MB that the job consumer never needs

    register_fonts()
    readers = [(PdfReader(io.BytesIO(data)), note) for data, note in parts]
    total = sum(len(reader.pages) for reader, _note in readers)
    writer = PdfWriter()
    number = 0
    for reader, note in readers:
        for page in reader.pages:
            number += 1
            page = writer.add_page(page)
            box = page.mediabox
            page.merge_translated_page(
                _overlay(float(box.width), float(box.height), number, total, note),
                float(box.left), float(box.bottom))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
