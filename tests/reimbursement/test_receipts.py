"""Receipts: checked by content, size-limited, images re-encoded without metadata."""

import io
import struct
import zlib
from decimal import Decimal

import pytest
from PIL import Image

from app.files.services import FileRefused, read_bytes
from app.reimbursement.services.drafting import attach_receipt
from app.reimbursement.services.receipts import clean_receipt
from tests.reimbursement.factories import exactly, jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.usefixtures("english")


def test_html_renamed_jpg_is_refused(world):
    with pytest.raises(FileRefused, match=exactly(
            "Attach a photo (JPEG, PNG, HEIC, WebP) or a PDF. This file is not one of them.")):
        clean_receipt(b"<!doctype html><html><script>alert(1)</script></html>")


def _png_header_only(width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_a_200_megapixel_png_is_refused_before_decoding(world):
    with pytest.raises(FileRefused, match=exactly(
            "This image is too large. Take the photo again at a lower resolution.")):
        clean_receipt(_png_header_only(20000, 10000))
    assert Image.MAX_IMAGE_PIXELS == 89478485  # restored after the check


def test_a_50_mb_pdf_is_refused(world):
    with pytest.raises(FileRefused, match=exactly("The file is larger than 10 MB.")):
        clean_receipt(b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))


def test_images_are_reencoded_without_exif_and_gps(world):
    exif = Image.Exif()
    exif[0x8825] = {2: (40.0, 25.0, 0.0)}  # GPSInfo latitude
    exif[0x010F] = "PhoneMaker"
    original = jpeg_bytes(exif=exif.tobytes())
    assert b"PhoneMaker" in original
    cleaned, content_type = clean_receipt(original)
    assert content_type == "image/jpeg"
    assert b"PhoneMaker" not in cleaned and b"Exif" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).getexif() == {}


def test_heic_photos_are_accepted_and_stored_as_jpeg(world):
    from pillow_heif import from_pillow

    heif = from_pillow(Image.new("RGB", (32, 32), (10, 200, 10)))
    out = io.BytesIO()
    heif.save(out, quality=50)
    cleaned, content_type = clean_receipt(out.getvalue())
    assert content_type == "image/jpeg" and cleaned.startswith(b"\xff\xd8")


def test_receipts_are_kept_and_pdfs_accepted(world):
    claim = world.claim(lines=(("taxi", Decimal("20"), None),), receipt=False)
    receipt = attach_receipt(world.session, claim.lines[0], pdf_bytes(), "factura.pdf",
                             world.patient)
    assert receipt.file.content_type == "application/pdf"
    assert read_bytes(receipt.file).startswith(b"%PDF-")
