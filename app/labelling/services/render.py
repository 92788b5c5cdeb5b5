"""Draw labels with reportlab: the particulars, the GS1 DataMatrix and its text.

A label is a box of the template's size: the particulars on the left in DejaVu Sans at the
template's size (7.5 pt gives the 1.4 mm x-height of the EU readability guideline), the
DataMatrix top right and the human-readable AIs at the foot. Text that does not fit is refused
(``DomainError``), never printed cut.

Speed and memory for big runs: text is wrapped by our own word wrap (cached per text) and set
with canvas primitives, no platypus; the lines every label repeats (all but the kit's own) are
drawn once per PDF part as one form XObject that each page places; the DataMatrix is a 1-bit
inline image mask (one sample a module, so the dots stay square; about 60 bytes a symbol); and
a run is written in parts of ``PART_PAGES`` pages that qpdf joins, so the process never holds
more than one part.
"""

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.core.errors import DomainError
from app.exports.pdf_fonts import FONT, FONT_BOLD, register_fonts
from app.labelling.gs1 import encode, symbol_bitmap

MARGIN = 2 * mm
MODULE = 0.375 * mm  # 3 dots at 203 dpi
GAP = 2 * mm
SHEET_MARGIN, SHEET_GAP, CROP = 10 * mm, 6 * mm, 3 * mm
PART_PAGES = 1000


class LabelDrawer:
    """Draw the labels of one template; keeps wrapped text and the forms of a canvas."""

    def __init__(self, template):
        register_fonts()
        self.template = template
        self.width = float(template.width_mm) * mm
        self.height = float(template.height_mm) * mm
        self.size = float(template.font_size)
        self.leading = self.size * 1.15
        self.wrapped = lru_cache(maxsize=4096)(self._wrap)
        self.bold_width = lru_cache(maxsize=4096)(
            lambda text: stringWidth(text, FONT_BOLD, self.size))
        self.forms = {}  # the text block shared by labels -> form name, per canvas

    def _fits(self, text, width):
        return stringWidth(text, FONT, self.size) <= width

    def _wrap(self, text, width):
        """Return a particular's text broken into lines of the width (words kept whole unless
        one alone is wider than the line); a line break in the text starts a new line."""
        lines = []
        for paragraph in text.split("\n"):
            if self._fits(paragraph, width):  # the usual case: one line
                lines.append(" ".join(paragraph.split()))
                continue
            current = ""
            for word in paragraph.split():
                while not self._fits(word, width):  # a word wider than the line: split it
                    cut = next(n for n in range(len(word) - 1, 0, -1)
                               if self._fits(word[:n], width))
                    if current:
                        lines.append(current)
                        current = ""
                    lines.append(word[:cut])
                    word = word[cut:]
                joined = f"{current} {word}" if current else word
                if current and not self._fits(joined, width):
                    lines.append(current)
                    joined = word
                current = joined
            lines.append(current)
        return tuple(lines)

    def hri_lines(self, code):
        """Return the human-readable text in lines, broken only between element strings."""
        width, lines, current, used = self.width - 2 * MARGIN, [], "", 0
        for ai, value in code.elements():
            piece = f"({ai}){value}"
            piece_width = self.bold_width(piece)
            if current and used + piece_width > width:
                lines.append(current)
                current, used = "", 0
            current += piece
            used += piece_width
        return [*lines, current]

    def layout(self, lines, code):
        """Return what to draw for one label, or refuse text that overflows its box."""
        symbol = symbol_bitmap(encode(code))
        side = symbol[0] * MODULE
        text_width = self.width - 2 * MARGIN - side - GAP
        if text_width < 15 * mm:
            raise DomainError(_("The label is too small for its DataMatrix and text."),
                              "width_mm")
        hri = self.hri_lines(code)
        hri_height = len(hri) * self.leading
        blocks = [(text, self.wrapped(text, text_width)) for text in lines]
        used = sum(len(wrapped) for _t, wrapped in blocks) * self.leading + hri_height + GAP
        if used > self.height - 2 * MARGIN or side + hri_height + GAP > \
                self.height - 2 * MARGIN:
            raise DomainError(_(
                "The text does not fit the %(w)s × %(h)s mm label (it needs about %(need)s mm "
                "of height): shorten the particulars, make the label larger or the font "
                "smaller. Nothing was printed.", w=self.template.width_mm,
                h=self.template.height_mm, need=round((used + 2 * MARGIN) / mm)), "font_size")
        return blocks, hri, (side, symbol)

    def _lines_at(self, blocks, own):
        """Yield (line, baseline below the text's top) of the blocks whose own-ness is own."""
        baseline = self.size  # reportlab's paragraphs put the first baseline one size down
        for text, wrapped in blocks:
            for line in wrapped:
                if own == (text is None):
                    yield line, baseline
                baseline += self.leading

    def _shared_form(self, canvas, blocks):
        """Return the form holding the text every label of the run repeats (once a canvas)."""
        key = tuple(text or len(wrapped) for text, wrapped in blocks)
        name = self.forms.get(key)
        if name is None:
            name = self.forms[key] = f"t{len(self.forms)}"
            canvas.beginForm(name, lowerx=0, lowery=-self.height, upperx=self.width,
                             uppery=0)
            canvas.setFont(FONT, self.size)
            for line, baseline in self._lines_at(blocks, own=False):
                canvas.drawString(0, -baseline, line)
            canvas.endForm()
        return name

    def draw(self, canvas, x, y, lines, code):
        """Draw one label with its lower-left corner at (x, y)."""
        blocks, hri, (side, symbol) = self.layout(lines, code)
        # The lines naming this kit are drawn on its page; the others come from a shared form.
        blocks = [(None if code.serial in text else text, wrapped) for text, wrapped in blocks]
        left, top = x + MARGIN, y + self.height - MARGIN
        canvas.saveState()
        canvas.translate(left, top)
        canvas.doForm(self._shared_form(canvas, blocks))
        canvas.restoreState()
        canvas.setFont(FONT, self.size)
        for line, baseline in self._lines_at(blocks, own=True):
            canvas.drawString(left, top - baseline, line)
        canvas.setFont(FONT_BOLD, self.size)
        base = y + MARGIN + (len(hri) - 1) * self.leading + self.size * 0.2
        for number, line in enumerate(hri):
            canvas.drawString(left, base - number * self.leading, line)
        # The symbol: a 1-bit image mask, one image sample a module, painted without
        # smoothing (PDF images do not interpolate unless asked), dark where the bit is 1.
        columns, rows, hex_rows = symbol
        canvas.addLiteral(f"q {side:.4f} 0 0 {rows * MODULE:.4f} "
                          f"{x + self.width - MARGIN - side:.4f} {top - rows * MODULE:.4f} cm "
                          f"BI /IM true /W {columns} /H {rows} /BPC 1 /D [1 0] /F /AHx ID "
                          f"{hex_rows}> EI Q")


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
        # The embedded house font from the first operator on: no page names Helvetica.
        self.canvas = Canvas(str(target) if isinstance(target, Path) else target,
                             pagesize=size, pageCompression=1, initialFontName=FONT,
                             initialFontSize=drawer.size, initialLeading=drawer.leading)
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
    # The parts' streams are already compressed and every page uses its resources: qpdf
    # copies them as they are instead of decoding or pruning them (a quarter less work).
    subprocess.run(["qpdf", "--empty", "--stream-data=preserve",
                    "--remove-unreferenced-resources=no", "--pages", *map(str, parts), "--",
                    str(path)],
                   check=True, capture_output=True)
