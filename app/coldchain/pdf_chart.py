"""The temperature curve for PDFs, drawn with reportlab shapes: band, curve, excursions, axes."""

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from app.exports.pdf_fonts import FONT, register_fonts

BAND = colors.HexColor("#d1e7dd")
CURVE = colors.HexColor("#0a3d78")
EXCURSION = colors.HexColor("#f8d7da")
LIMIT = colors.HexColor("#146c43")
EXCURSION_EDGE = colors.HexColor("#b02a37")


def temperature_drawing(times, temperatures, low_c, high_c, excursions, width=480,
                        height=190):
    """Return a Drawing of the readings against the allowed band with excursions shaded."""
    register_fonts()
    drawing = Drawing(width, height)
    left, bottom, right, top = 42, 28, width - 8, height - 10
    if not times:
        drawing.add(String(left, height / 2, "—", fontName=FONT, fontSize=9))
        return drawing
    t0, t1 = times[0].timestamp(), times[-1].timestamp()
    span_t = max(t1 - t0, 1.0)
    v_min = min(min(temperatures), low_c) - 1.0
    v_max = max(max(temperatures), high_c) + 1.0
    span_v = v_max - v_min

    def x(moment):
        return left + (moment.timestamp() - t0) / span_t * (right - left)

    def y(value):
        return bottom + (value - v_min) / span_v * (top - bottom)

    drawing.add(Rect(left, y(low_c), right - left, y(high_c) - y(low_c), fillColor=BAND,
                     strokeColor=None))
    for started, ended in excursions:
        drawing.add(Rect(x(started), bottom, max(x(ended) - x(started), 1.0), top - bottom,
                         fillColor=EXCURSION, strokeColor=EXCURSION_EDGE, strokeWidth=0.5))
    for limit in (low_c, high_c):
        drawing.add(Line(left, y(limit), right, y(limit), strokeColor=LIMIT, strokeWidth=0.8,
                         strokeDashArray=[3, 2]))
        drawing.add(String(2, y(limit) - 3, f"{limit:g} °C", fontName=FONT, fontSize=7,
                           fillColor=LIMIT))
    points = []
    for moment, value in zip(times, temperatures, strict=True):
        points.extend((x(moment), y(value)))
    drawing.add(PolyLine(points, strokeColor=CURVE, strokeWidth=0.8))
    drawing.add(Line(left, bottom, right, bottom, strokeColor=colors.black, strokeWidth=0.5))
    drawing.add(Line(left, bottom, left, top, strokeColor=colors.black, strokeWidth=0.5))
    for fraction in (0, 0.5, 1):
        moment = times[0] + (times[-1] - times[0]) * fraction
        anchor = {0: "start", 0.5: "middle", 1: "end"}[fraction]
        drawing.add(String(left + fraction * (right - left), bottom - 12,
                           moment.strftime("%Y-%m-%d %H:%M UTC"), fontName=FONT, fontSize=7,
                           textAnchor=anchor))
    for value in (v_min, v_max):
        drawing.add(String(left - 4, y(value) - 3, f"{value:.0f}", fontName=FONT, fontSize=7,
                           textAnchor="end"))
    return drawing
