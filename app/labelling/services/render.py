"""Draw labels with reportlab: the particulars, the GS1 DataMatrix and its text.

A label is a box of the template's size: the particulars on the left in DejaVu Sans at the
template's size (7.5 pt gives the 1.4 mm x-height of the EU readability guideline), the
DataMatrix top right and the human-readable AIs at the foot. Text that does not fit is refused
(``DomainError``), never printed cut.

Speed and memory for big runs: a paragraph that is the same on every label (all but the kit's
own line) is wrapped once and drawn once per PDF as a form XObject that each page places; the
human-readable line is set with plain ``drawString``; and a run is written in parts of
``PART_PAGES`` pages that qpdf joins, so the process never holds more than one part.
"""

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.core.errors import DomainError
from app.exports.pdf_fonts import FONT, FONT_BOLD, register_fonts
from app.labelling.gs1 import encode, symbol_modules

MARGIN = 2 * mm
MODULE = 0.375 * mm  # 3 dots at 203 dpi
GAP = 2 * mm
SHEET_MARGIN, SHEET_GAP, CROP = 10 * mm, 6 * mm, 3 * mm
PART_PAGES = 1000


class LabelDrawer:
    """Draw the labels of one template; keeps wrapped paragraphs and page forms."""

    def __init__(self, template):
        register_fonts()
        self.template = template
        self.width = float(template.width_mm) * mm
        self.height = float(template.height_mm) * mm
        self.size = float(template.font_size)
        self.leading = self.size * 1.15
        self.style = ParagraphStyle("label", fontName=FONT, fontSize=self.size,
                                    leading=self.leading, spaceAfter=0)
        self.paragraph = lru_cache(maxsize=4096)(self._paragraph)
        self.forms = {}  # text -> form name, per canvas

    def _paragraph(self, text, width):
        para = Paragraph(escape(text).replace("\n", "<br/>"), self.style)
        _w, height = para.wrap(width, self.height)
        return para, height

    def hri_lines(self, code):
        """Return the human-readable text in lines, broken only between element strings."""
        width, lines, current = self.width - 2 * MARGIN, [], ""
        for ai, value in code.elements():
            piece = f"({ai}){value}"
            if current and stringWidth(current + piece, FONT_BOLD, self.size) > width:
                lines.append(current)
                current = ""
            current += piece
        return [*lines, current]

    def layout(self, lines, code):
        """Return what to draw for one label, or refuse text that overflows its box."""
        symbol = encode(code)
        modules, rects = symbol_modules(symbol)
        side = modules * MODULE
        text_width = self.width - 2 * MARGIN - side - GAP
        if text_width < 15 * mm:
            raise DomainError(_("The label is too small for its DataMatrix and text."),
                              "width_mm")
        hri = self.hri_lines(code)
        hri_height = len(hri) * self.leading
        paras = [(text, *self.paragraph(text, text_width)) for text in lines]
        used = sum(height for _t, _p, height in paras) + hri_height + GAP
        if used > self.height - 2 * MARGIN or side + hri_height + GAP > \
                self.height - 2 * MARGIN:
            raise DomainError(_(
                "The text does not fit the %(w)s × %(h)s mm label (it needs about %(need)s mm "
                "of height): shorten the particulars, make the label larger or the font "
                "smaller. Nothing was printed.", w=self.template.width_mm,
                h=self.template.height_mm, need=round((used + 2 * MARGIN) / mm)), "font_size")
        return paras, hri, (side, rects)

    def _form(self, canvas, text, para, height):
        name = self.forms.get(text)
        if name is None:
            name = self.forms[text] = f"p{len(self.forms)}"
            canvas.beginForm(name, lowerx=0, lowery=0, upperx=self.width, uppery=height)
            para.drawOn(canvas, 0, 0)
            canvas.endForm()
        return name

    def draw(self, canvas, x, y, lines, code):
        """Draw one label with its lower-left corner at (x, y)."""
        paras, hri, (side, rects) = self.layout(lines, code)
        top = y + self.height - MARGIN
        for text, para, height in paras:
            top -= height
            if code.serial in text:  # this kit's own line: drawn on its page only
                para.drawOn(canvas, x + MARGIN, top)
            else:
                canvas.saveState()
                canvas.translate(x + MARGIN, top)
                canvas.doForm(self._form(canvas, text, para, height))
                canvas.restoreState()
        canvas.setFont(FONT_BOLD, self.size)
        base = y + MARGIN + (len(hri) - 1) * self.leading + self.size * 0.2
        for number, line in enumerate(hri):
            canvas.drawString(x + MARGIN, base - number * self.leading, line)
        # The symbol in module units (origin top-left, y down): whole numbers, so the path
        # is written as plain operators instead of one formatted float per corner.
        canvas.saveState()
        canvas.transform(MODULE, 0, 0, -MODULE, x + self.width - MARGIN - side,
                         y + self.height - MARGIN)
        canvas.addLiteral(" ".join(f"{rx:g} {ry:g} {rw:g} {rh:g} re"
                                   for rx, ry, rw, rh in rects) + " f")
        canvas.restoreState()


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


class _Part:
    """One PDF part: a canvas of at most PART_PAGES pages."""

    def __init__(self, target, drawer, layout, title):
        drawer.forms = {}
        size = (drawer.width, drawer.height) if layout == "roll" else A4
        self.canvas = Canvas(str(target) if isinstance(target, Path) else target,
                             pagesize=size, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("Ensayo")
        self.pages = 0


def write_pdf(path, template, labels, layout="roll", title="", progress=None):
    """Write labels [(lines, code)] to a PDF: one per page (roll) or A4 sheets; return count.

    path is a file path (a big run is written in parts joined by qpdf) or a binary stream.
    """
    drawer = LabelDrawer(template)
    slots = [(0, 0)] if layout == "roll" else sheet_slots(drawer)
    folder = Path(tempfile.mkdtemp(prefix="labels-")) if isinstance(path, (str, Path)) else None
    parts = []

    def new_part():
        target = folder / f"part-{len(parts):04d}.pdf" if folder else path
        parts.append(target)
        return _Part(target, drawer, layout, title)

    part, done = new_part(), 0
    try:
        for lines, code in labels:
            if part is None:
                part = new_part()
            x, y = slots[done % len(slots)]
            drawer.draw(part.canvas, x, y, lines, code)
            if layout != "roll":
                _crop_marks(part.canvas, x, y, drawer.width, drawer.height)
            done += 1
            if done % len(slots) == 0:
                part.canvas.showPage()
                part.pages += 1
                if folder and part.pages >= PART_PAGES:
                    part.canvas.save()
                    part = None
            if progress is not None:
                progress(done)
        if part is not None:
            if done % len(slots) or part.pages == 0:
                part.canvas.showPage()
            part.canvas.save()
        if folder:
            _join(parts, Path(path))
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return done


def _join(parts, path):
    """Join the parts into one PDF (qpdf streams them; one part is just moved)."""
    if len(parts) == 1:
        shutil.move(parts[0], path)
        return
    subprocess.run(["qpdf", "--empty", "--pages", *map(str, parts), "--", str(path)],
                   check=True, capture_output=True)
