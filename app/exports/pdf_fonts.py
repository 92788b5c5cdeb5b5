"""Register the DejaVu Sans fonts that every PDF is set in."""

from functools import cache
from pathlib import Path

from reportlab.graphics.shapes import STATE_DEFAULTS
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_DIR = Path(__file__).resolve().with_name("fonts")


@cache
def register_fonts():
    """Register DejaVu Sans with reportlab, once per process."""
    # Embedded TrueType covers accents, the euro sign, Greek, Cyrillic, Arabic and
    # Hebrew letters; reportlab's built-in Helvetica only knows Latin-1 and friends.
    pdfmetrics.registerFont(TTFont(FONT, str(_FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONT_DIR / "DejaVuSans-Bold.ttf")))
    # No oblique face is shipped, so <i> in paragraph markup stays upright.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    # Drawings (charts, barcodes) start each render in reportlab's default graphics font,
    # Helvetica, which is never embedded: make it the embedded house font.
    STATE_DEFAULTS["fontName"] = FONT
