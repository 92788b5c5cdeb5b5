"""Build A4 PDFs on the company letterhead and send them to the browser."""

import io
from datetime import UTC, datetime

from reportlab.lib import pagesizes
from reportlab.platypus import SimpleDocTemplate

from .downloads import safe_download_name, send_download
from .pdf_flowables import escape_text, para, styles, table
from .pdf_fonts import register_fonts
from .pdf_page import (
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    PAGE_MARGIN,
    Letterhead,
    NumberedCanvas,
    UnnumberedCanvas,
)
from .pdf_signatures import signature_blocks

__all__ = ["build_pdf", "escape_text", "para", "pdf_response", "styles", "table"]

PDF_MIMETYPE = "application/pdf"


def build_pdf(title, story, *, subtitle=None, signatures=(), signature_lines=(), landscape=False,
              page_numbers=True):
    """Return the bytes of a PDF: letterhead, title, story, then the signature blocks.

    ``page_numbers=False`` leaves the count out, for a part numbered once it is assembled
    (see stamp_pages).
    """
    register_fonts()
    buffer = io.BytesIO()
    letterhead = Letterhead.for_document(title, generated_at=datetime.now(UTC))
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesizes.landscape(pagesizes.A4) if landscape else pagesizes.A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=str(title),
        subject=str(subtitle or ""),
        author=letterhead.company_name,
        creator=letterhead.company_name,
    )
    flowables = [para(title, "Title")]
    if subtitle:
        flowables.append(para(subtitle, "Heading3"))
    flowables.extend(story)
    flowables.extend(signature_blocks(signatures, signature_lines))
    document.build(
        flowables,
        onFirstPage=letterhead.draw,
        onLaterPages=letterhead.draw,
        canvasmaker=NumberedCanvas if page_numbers else UnnumberedCanvas,
    )
    return buffer.getvalue()


def pdf_response(filename, data, inline=False):
    """Return a response carrying PDF bytes, shown in the browser when inline."""
    return send_download(
        io.BytesIO(data),
        mimetype=PDF_MIMETYPE,
        download_name=safe_download_name(filename, ".pdf"),
        size=len(data),
        as_attachment=not inline,
    )
