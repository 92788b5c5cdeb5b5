"""Page furniture of every PDF: letterhead, generation time and "Page n of m"."""

from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .pdf_fonts import FONT, FONT_BOLD

PAGE_MARGIN = 18 * mm
HEADER_HEIGHT = 34 * mm  # top margin of the frame: room for the letterhead
FOOTER_HEIGHT = 18 * mm

_NAME_SIZE, _TEXT_SIZE, _LINE_GAP = 10, 7.5, 9.5
_MAX_ADDRESS_LINES = 2
_RULE_COLOUR = colors.HexColor("#808080")


@dataclass(frozen=True)
class Letterhead:
    """What the top of every page shows: the company on the left, the document on the right."""

    company_name: str
    company_lines: tuple[str, ...]
    title: str
    generated_at: str

    @classmethod
    def for_document(cls, title, generated_at):
        """Return the letterhead for title, company details from the app config."""
        config = current_app.config if has_app_context() else {}
        address = str(config.get("COMPANY_ADDRESS") or "").splitlines()
        lines = [_one_line(line) for line in address if line.strip()][:_MAX_ADDRESS_LINES]
        if config.get("COMPANY_PHONE"):
            lines.append(_("Tel. %(phone)s", phone=_one_line(config["COMPANY_PHONE"])))
        return cls(
            company_name=_one_line(config.get("COMPANY_NAME")),
            company_lines=tuple(lines),
            title=_one_line(title),
            generated_at=_(
                "Generated at %(when)s UTC", when=generated_at.strftime("%Y-%m-%d %H:%M")
            ),
        )

    def draw(self, canvas, doc):
        """Draw the letterhead on the current page (a reportlab onPage callback)."""
        width, height = doc.pagesize
        left, right = doc.leftMargin, width - doc.rightMargin
        half = (right - left) / 2 - 4 * mm
        top = height - 12 * mm
        canvas.saveState()
        canvas.setFont(FONT_BOLD, _NAME_SIZE)
        name = _fit(self.company_name, FONT_BOLD, _NAME_SIZE, half)
        canvas.drawString(left, top, name)
        # The title takes what the company name leaves (a certificate's number stays whole).
        room = (right - left) - stringWidth(name, FONT_BOLD, _NAME_SIZE) - 8 * mm
        canvas.drawRightString(right, top, _fit(self.title, FONT_BOLD, _NAME_SIZE, room))
        canvas.setFont(FONT, _TEXT_SIZE)
        for number, line in enumerate(self.company_lines, 1):
            y = top - 2 - number * _LINE_GAP
            canvas.drawString(left, y, _fit(line, FONT, _TEXT_SIZE, half))
        canvas.drawRightString(right, top - 2 - _LINE_GAP, self.generated_at)
        rule_y = height - HEADER_HEIGHT + 4 * mm
        canvas.setStrokeColor(_RULE_COLOUR)
        canvas.setLineWidth(0.5)
        canvas.line(left, rule_y, right, rule_y)
        canvas.restoreState()


class NumberedCanvas(Canvas):
    """Canvas that holds pages back until the end, to print "Page n of m" on each."""

    show_numbers = True

    def __init__(self, *args, **kwargs):
        # reportlab starts every page in Helvetica, which it never embeds; start in DejaVu.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)
        self._held_pages = []

    def showPage(self):
        """Keep the finished page's state instead of emitting it now."""
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        """Emit every held page with its footer, then write the file."""
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total):
        """Draw the rule and the page count at the foot of the current page."""
        width, _height = self._pagesize
        left, right = PAGE_MARGIN, width - PAGE_MARGIN
        y = FOOTER_HEIGHT - 8 * mm
        self.saveState()
        self.setStrokeColor(_RULE_COLOUR)
        self.setLineWidth(0.5)
        self.line(left, y + 4 * mm, right, y + 4 * mm)
        if self.show_numbers:
            self.setFont(FONT, _TEXT_SIZE)
            label = _("Page %(page)s of %(total)s", page=self._pageNumber, total=total)
            self.drawRightString(right, y, label)
        self.restoreState()


class UnnumberedCanvas(NumberedCanvas):
    """The same footer without the page count: for a part of a larger document whose pages
    are numbered once it is put together."""

    show_numbers = False


def _one_line(text):
    """Return text on one line with control characters dropped, for drawString."""
    text = "" if text is None else str(text)
    return " ".join("".join(char for char in text if char.isprintable() or char.isspace()).split())


def _fit(text, font, size, max_width):
    """Return text cut with an ellipsis so it fits max_width points."""
    if stringWidth(text, font, size) <= max_width:
        return text
    # Binary search: a 10,000-character title must not cost 10,000 measurements.
    shortest, longest = 0, len(text)
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        if stringWidth(text[:middle] + "…", font, size) <= max_width:
            shortest = middle
        else:
            longest = middle - 1
    return text[:shortest] + "…"
