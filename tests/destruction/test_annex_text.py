"""The annex's quick line writer emits exactly what reportlab's textLines would."""

import io

from reportlab.pdfgen.canvas import Canvas

from app.destruction.services.certificate import write_lines
from app.exports.pdf_fonts import FONT, register_fonts


def _code(lines, quick):
    register_fonts()
    canvas = Canvas(io.BytesIO())
    text = canvas.beginText(0, 700)
    text.setFont(FONT, 7.5, 10)
    if quick:
        write_lines(canvas, text, lines)
    else:
        text.textLines("\n".join(lines))
    return text.getCode(), text.getY()


def test_ascii_lines_are_written_as_reportlab_writes_them():
    lines = ["D0001     L-24-001   101   S-(007)   28", "D0002 \\ back   1"] * 30
    assert _code(lines, quick=True) == _code(lines, quick=False)


def test_other_lines_take_reportlabs_path():
    lines = ["D0001  Lote ñandú  28", "D0002  L2  1"]
    assert _code(lines, quick=True) == _code(lines, quick=False)
