"""Receipts as phones and portals deliver them: transparent PNG, WebP, PDFs with scripts,
password-protected, damaged or 2,000-page PDFs, animations."""

import hashlib
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from app.files.services import FileRefused, read_bytes
from app.reimbursement.services.drafting import attach_receipt
from app.reimbursement.services.receipt_pdf import has_no_active_content
from app.reimbursement.services.receipts import clean_receipt
from tests.reimbursement.factories import exactly

pytestmark = pytest.mark.usefixtures("english")


def image_bytes(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def test_transparent_png_is_flattened_on_white_not_black():
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))  # fully transparent black
    image.paste((200, 0, 0, 255), (0, 0, 20, 20))  # opaque red left half
    cleaned, kind = clean_receipt(image_bytes(image, "PNG"))
    result = Image.open(io.BytesIO(cleaned))
    assert (kind, result.mode) == ("image/png", "RGB")
    assert result.getpixel((30, 10)) == (255, 255, 255)
    assert result.getpixel((5, 10)) == (200, 0, 0)


def test_palette_png_with_a_transparent_colour_is_flattened_too():
    image = Image.new("P", (10, 10), 0)
    image.putpalette([0, 0, 0, 9, 9, 9] + [0] * 762)
    cleaned, _kind = clean_receipt(image_bytes(image, "PNG", transparency=0))
    assert Image.open(io.BytesIO(cleaned)).getpixel((1, 1)) == (255, 255, 255)


def test_webp_photo_is_accepted_and_reencoded_as_jpeg():
    photo = Image.new("RGB", (64, 48), (10, 120, 30))
    cleaned, kind = clean_receipt(image_bytes(photo, "WEBP"))
    assert kind == "image/jpeg" and cleaned.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(cleaned)).size == (64, 48)


def test_animated_webp_is_refused():
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = image_bytes(frames[0], "WEBP", save_all=True, append_images=frames[1:],
                       duration=100, loop=0)
    with pytest.raises(FileRefused, match=exactly(
            "This is an animated image. Attach a still photo of the receipt.")):
        clean_receipt(data)


def hostile_pdf():
    """A one-page PDF with document JavaScript, an OpenAction, a page action, a JavaScript
    link, an embedded file and a form field."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    writer.add_attachment("payload.exe", b"MZ evil")
    js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                           NameObject("/JS"): TextStringObject("app.launchURL('x');")})
    names = writer._root_object["/Names"]
    names[NameObject("/JavaScript")] = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("pwn"), writer._add_object(js)])})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(js)
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(js)})
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): writer._add_object(DictionaryObject())})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_with_javascript_actions_files_and_forms_is_rewritten_clean(world, tmp_path):
    data = hostile_pdf()
    assert not has_no_active_content(data)
    claim = world.claim(lines=(("taxi", Decimal("20"), None),), receipt=False)
    receipt = attach_receipt(world.session, claim.lines[0], data, "factura.pdf", world.patient)
    kept = read_bytes(receipt.file)
    assert has_no_active_content(kept) and len(PdfReader(io.BytesIO(kept)).pages) == 1
    for marker in (b"/JavaScript", b"/OpenAction", b"/EmbeddedFile", b"/AcroForm", b"/AA"):
        assert marker not in kept
    assert receipt.original_sha256 == hashlib.sha256(data).hexdigest()
    assert receipt.file_sha256 == hashlib.sha256(kept).hexdigest() != receipt.original_sha256
    assert shutil.which("qpdf")
    (tmp_path / "kept.pdf").write_bytes(kept)
    assert subprocess.run(["qpdf", "--check", str(tmp_path / "kept.pdf")],
                          capture_output=True, check=False).returncode == 0


def test_password_protected_pdf_is_refused_owner_only_is_opened():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(FileRefused, match="protected by a password"):
        clean_receipt(locked.getvalue())
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="", owner_password="owner")
    restricted = io.BytesIO()
    writer.write(restricted)
    cleaned, _kind = clean_receipt(restricted.getvalue())
    assert not PdfReader(io.BytesIO(cleaned)).is_encrypted


def test_damaged_pdf_is_refused():
    with pytest.raises(FileRefused, match=exactly(
            "This PDF is damaged and cannot be read. Try another copy.")):
        clean_receipt(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage\x00\xff")


def test_two_thousand_pages_are_refused():
    writer = PdfWriter()
    for _ in range(2000):
        writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileRefused, match=exactly(
            "A receipt PDF must have between 1 and 20 pages; this one has 2000.")):
        clean_receipt(out.getvalue())


def test_receipts_are_served_as_sandboxed_downloads(app, client, login, db):
    from tests.reimbursement.factories import World

    world = World(db.session)
    claim = world.claim(lines=(("taxi", Decimal("20"), None),), receipt=False)
    receipt = attach_receipt(world.session, claim.lines[0], hostile_pdf(), "factura.pdf",
                             world.patient)
    db.session.commit()
    login(world.patient)
    response = client.get(f"/my/claims/{claim.id}/receipts/{receipt.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"/JavaScript" not in response.data
