"""Signature blocks closing a PDF: electronic signatures and wet-ink lines."""

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from .pdf_flowables import format_utc, para, shared_styles, table
from .pdf_fonts import FONT

HASH_PREFIX_LENGTH = 16

_WRITING_SPACE = 12 * mm
_GAP = 6 * mm
_LINE_STYLE = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LINEABOVE", (0, 1), (0, 1), 0.6, colors.black),
        ("LINEABOVE", (2, 1), (2, 1), 0.6, colors.black),
        ("LINEABOVE", (4, 1), (4, 1), 0.6, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
)


def signature_blocks(signatures=(), signature_lines=()):
    """Return the flowables listing electronic signatures, then lines to sign by hand."""
    flowables = []
    signatures = list(signatures)
    if signatures:
        flowables.append(electronic_signatures_table(signatures))
    for label in signature_lines:
        flowables.append(wet_ink_signature(label))
    return flowables


def electronic_signatures_table(signatures):
    """Return a titled table of who signed, meaning what, when (UTC) and over which hash."""
    headers = [_("Name"), _("Meaning"), _("Date and time (UTC)"), _("Content hash")]
    rows = [
        [
            _field(signature, "printed_name"),
            # Prefer the translated label a signature model offers over its stored code.
            _field(signature, "meaning_label") or _field(signature, "meaning"),
            format_utc(_field(signature, "signed_at")),
            str(_field(signature, "content_hash") or "")[:HASH_PREFIX_LENGTH],
        ]
        for signature in signatures
    ]
    heading = para(_("Electronic signatures"), "Heading3")
    # Keep the heading with the first rows; the table itself may still run over pages.
    return KeepTogether([Spacer(1, _GAP), heading, table(headers, rows)])


def wet_ink_signature(label):
    """Return a labelled block with lines for a name, a signature and a date."""
    small = shared_styles()["Small"]
    captions = [para(_("Name"), small), "", para(_("Signature"), small), "", para(_("Date"), small)]
    lines = Table(
        [[""] * 5, captions],
        colWidths=["38%", "4%", "34%", "4%", "20%"],
        rowHeights=[_WRITING_SPACE, None],
        hAlign="LEFT",
    )
    lines.setStyle(_LINE_STYLE)
    return KeepTogether([Spacer(1, _GAP), para(label, "Heading4"), lines])


def _field(signature, name):
    """Return attribute or key name of signature, so models and dicts both work."""
    if isinstance(signature, dict):
        return signature.get(name)
    return getattr(signature, name, None)
