"""Bag labels (collection and product): the identifier as a barcode and eye-readable."""

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from app.celltherapy.models import PRODUCT_KINDS
from app.celltherapy.services.identity import barcode_text, check_character, eye_readable
from app.exports.barcodes import code128
from app.exports.pdf import build_pdf, para

BOX = TableStyle([("BOX", (1, 0), (1, 0), 1.2, colors.black),
                  ("FONTSIZE", (0, 0), (-1, -1), 16), ("LEADING", (0, 0), (-1, -1), 20),
                  ("ALIGN", (1, 0), (1, 0), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                  ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans-Bold")])
FRAME = TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 2 * mm)])


def identifier_line(coi):
    """Return the eye-readable identifier with its check character in a box."""
    line = Table([[eye_readable(coi), check_character(coi)]], colWidths=(70 * mm, 9 * mm),
                 hAlign="LEFT")
    line.setStyle(BOX)
    return line


def bag_label(order, heading, lines):
    """Return one label: heading, barcode, eye-readable identifier, fixed wording."""
    rows = [[para(heading, "Heading3")],
            [code128(barcode_text(order.coi), bar_height=50, bar_width=1.2,
                     human_readable=False)],
            [identifier_line(order.coi)]]
    rows += [[para(text)] for text in lines]
    label = Table(rows, colWidths=(120 * mm,), hAlign="LEFT")
    label.setStyle(FRAME)
    return label


def bag_labels_pdf(order):
    """Return the PDF with the collection bag and product bag labels (no personal data)."""
    product = str(PRODUCT_KINDS.get(order.product_kind, order.product_kind))
    collection = bag_label(order, _("Collection bag"), [
        _("Autologous cells for manufacturing. Collection %(n)s.", n=order.collection_number),
        _("Bags: %(bags)s", bags=order.bag_ids or "—")])
    made = bag_label(order, _("Product bag"), [
        product, _("For autologous use only. Check the identifier at the bedside."),
        _("Store and ship below -150 °C.")])
    return build_pdf(_("Bag labels %(coi)s", coi=order.coi),
                     [collection, Spacer(1, 10 * mm), made],
                     subtitle=_("Chain of Identity (ISBT 128)"))
