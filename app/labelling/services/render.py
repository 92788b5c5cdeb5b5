"""Draw labels with reportlab: the particulars, the GS1 DataMatrix and its text.

A label is a box of the template's size: the particulars on the left in DejaVu Sans at the
template's size (7.5 pt gives the 1.4 mm x-height of the EU readability guideline), the
DataMatrix top right and the human-readable AIs under the particulars. Text that does not fit
is refused (``DomainError``), never printed cut. Paragraphs are cached by text: in a run only
the kit number and expiry lines change from label to label.
"""

from functools import lru_cache
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.core.errors import DomainError
from app.exports.pdf_fonts import FONT, FONT_BOLD, register_fonts
from app.labelling.gs1 import encode, symbol_modules

MARGIN = 2 * mm
MODULE = 0.375 * mm  # 3 dots at 203 dpi
GAP = 2 * mm
SHEET_MARGIN, SHEET_GAP, CROP = 10 * mm, 6 * mm, 3 * mm


class LabelDrawer:
    """Draw the labels of one template; keeps the wrapped paragraphs between labels."""

    def __init__(self, template):
        register_fonts()
        self.template = template
        self.width = float(template.width_mm) * mm
        self.height = float(template.height_mm) * mm
        size = float(template.font_size)
        self.style = ParagraphStyle("label", fontName=FONT, fontSize=size,
                                    leading=size * 1.15, spaceAfter=0)
        self.hri_style = ParagraphStyle("hri", fontName=FONT_BOLD, fontSize=size,
                                        leading=size * 1.15)
        self.paragraph = lru_cache(maxsize=4096)(self._paragraph)

    def _paragraph(self, text, width, hri=False):
        para = Paragraph(escape(text).replace("\n", "<br/>"),
                         self.hri_style if hri else self.style)
        _w, height = para.wrap(width, self.height)
        return para, height

    def layout(self, lines, code):
        """Return what to draw for one label, or refuse text that overflows its box."""
        symbol = encode(code)
        modules, rects = symbol_modules(symbol)
        side = modules * MODULE
        text_width = self.width - 2 * MARGIN - side - GAP
        if text_width < 15 * mm:
            raise DomainError(_("The label is too small for its DataMatrix and text."),
                              "width_mm")
        hri, hri_height = self.paragraph(code.human_readable(" "), self.width - 2 * MARGIN,
                                         hri=True)
        paras = [self.paragraph(text, text_width) for text in lines]
        used = sum(height for _p, height in paras) + hri_height + GAP
        if used > self.height - 2 * MARGIN or side + hri_height + GAP > \
                self.height - 2 * MARGIN:
            raise DomainError(_(
                "The text does not fit the %(w)s × %(h)s mm label (it needs about %(need)s mm "
                "of height): shorten the particulars, make the label larger or the font "
                "smaller. Nothing was printed.", w=self.template.width_mm,
                h=self.template.height_mm, need=round((used + 2 * MARGIN) / mm)), "font_size")
        return paras, (hri, hri_height), (side, rects)

    def draw(self, canvas, x, y, lines, code):
        """Draw one label with its lower-left corner at (x, y)."""
        paras, (hri, hri_height), (side, rects) = self.layout(lines, code)
        top = y + self.height - MARGIN
        for para, height in paras:
            para.drawOn(canvas, x + MARGIN, top - height)
            top -= height
        hri.drawOn(canvas, x + MARGIN, y + MARGIN)
        left, upper = x + self.width - MARGIN - side, y + self.height - MARGIN
        path = canvas.beginPath()
        for rx, ry, rw, rh in rects:
            path.rect(left + rx * MODULE, upper - (ry + rh) * MODULE, rw * MODULE, rh * MODULE)
        canvas.drawPath(path, stroke=0, fill=1)


def _crop_marks(canvas, x, y, width, height):
    canvas.setLineWidth(0.25)
    for cx, dx in ((x, -1), (x + width, 1)):
        for cy, dy in ((y, -1), (y + height, 1)):
            canvas.line(cx + dx * 1 * mm, cy, cx + dx * (1 * mm + CROP), cy)
            canvas.line(cx, cy + dy * 1 * mm, cx, cy + dy * (1 * mm + CROP))


def sheet_slots(drawer):
    """Return the lower-left corners of the labels that fit on one A4 sheet."""
    page_w, page_h = A4
    step_x, step_y = drawer.width + SHEET_GAP, drawer.height + SHEET_GAP
    columns = max(1, int((page_w - 2 * SHEET_MARGIN + SHEET_GAP) // step_x))
    rows = max(1, int((page_h - 2 * SHEET_MARGIN + SHEET_GAP) // step_y))
    return [(SHEET_MARGIN + c * step_x, page_h - SHEET_MARGIN - (r + 1) * drawer.height
             - r * SHEET_GAP) for r in range(rows) for c in range(columns)]


def write_pdf(path, template, labels, layout="roll", title="", progress=None):
    """Write labels [(lines, code)] to a PDF: one per page (roll) or A4 sheets."""
    drawer = LabelDrawer(template)
    if layout == "roll":
        canvas = Canvas(str(path), pagesize=(drawer.width, drawer.height), pageCompression=1)
        slots = [(0, 0)]
    else:
        canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
        slots = sheet_slots(drawer)
    canvas.setTitle(title)
    canvas.setCreator("Ensayo")
    done = 0
    for lines, code in labels:
        x, y = slots[done % len(slots)]
        drawer.draw(canvas, x, y, lines, code)
        if layout != "roll":
            _crop_marks(canvas, x, y, drawer.width, drawer.height)
        done += 1
        if done % len(slots) == 0:
            canvas.showPage()
        if progress is not None:
            progress(done)
    if done % len(slots) or not done:
        canvas.showPage()
    canvas.save()
    return done
