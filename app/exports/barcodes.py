"""Barcodes for PDFs: Code128 drawings that scanners read from the printed page."""

from reportlab.graphics.barcode import createBarcodeDrawing

from .pdf_fonts import FONT, register_fonts


def code128(value, *, bar_height=60, bar_width=1.4, human_readable=True):
    """Return a reportlab Drawing of the value as a Code128 barcode (text printed below in the
    embedded house font, not reportlab's unembedded Helvetica)."""
    register_fonts()
    return createBarcodeDrawing("Code128", value=value, barHeight=bar_height,
                                barWidth=bar_width, humanReadable=human_readable,
                                fontName=FONT)
