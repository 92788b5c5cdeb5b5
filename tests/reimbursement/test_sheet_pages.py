"""The Expense Reimbursement Sheet: appended receipt pages name the claim and their line,
pages are numbered over the whole document, long payee names end with an ellipsis."""

import io
import subprocess
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.reimbursement.exports import batch_summary_pdf, claim_sheet_pdf
from app.reimbursement.services.drafting import attach_receipt
from app.reimbursement.services.payments import create_batch
from tests.reimbursement.factories import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.usefixtures("english")


def page_texts(data):
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode()
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def test_receipt_pages_carry_reference_line_and_whole_document_numbers(world):
    claim = world.claim(lines=(("taxi", Decimal("20"), None), ("parking_tolls", Decimal("5"),
                                                               None)), receipt=False)
    attach_receipt(world.session, claim.lines[0], jpeg_bytes(), "ticket.jpg", world.patient)
    attach_receipt(world.session, claim.lines[1], pdf_bytes(), "peaje.pdf", world.patient)
    data = claim_sheet_pdf(world.session, claim)
    pages = page_texts(data)
    total = len(PdfReader(io.BytesIO(data)).pages)
    assert total == len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert text.count(" of ") >= 1 and f"Page 1 of {total - 1}" not in text
    assert f"{claim.reference} · line 1:" in pages[-2] and "ticket.jpg" in pages[-2]
    assert f"{claim.reference} · line 2:" in pages[-1] and "peaje.pdf" in pages[-1]


def test_long_payee_names_end_with_an_ellipsis(world):
    world.bank(holder="Fundación para la Investigación Biomédica del Hospital Universitario "
                      "de la Princesa y sus Centros Asociados de Madrid")
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    text = " ".join(page_texts(batch_summary_pdf(batch, batch.items, [])))
    assert "Fundación para la Investigación" in text and "…" in text
