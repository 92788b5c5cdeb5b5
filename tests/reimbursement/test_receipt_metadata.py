"""Receipt images lose every metadata segment: EXIF and GPS, XMP, ICC, JPEG comment, PNG text."""

import io
import struct
import zlib

from PIL import Image

from app.reimbursement.services.receipts import clean_receipt

XMP = (b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
       b"<rdf:Description>Maria Garcia 12345678Z</rdf:Description></x:xmpmeta>")


def _segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _markers(jpeg):
    """Return the marker bytes of every segment before the image data."""
    assert jpeg[:2] == b"\xff\xd8"
    found, at = [], 2
    while at < len(jpeg):
        marker = jpeg[at + 1]
        found.append(marker)
        if marker == 0xDA:  # start of scan: image data follows
            return found
        at += 2 + struct.unpack(">H", jpeg[at + 2:at + 4])[0]
    return found


def _jpeg_with_everything():
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (40.0, 25.0, 1.0)  # GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=b"\x00" * 128, quality=90)
    data = out.getvalue()
    extra = _segment(0xE1, XMP) + _segment(0xFE, b"Comment: Maria Garcia, DNI 12345678Z")
    return data[:2] + extra + data[2:]


def test_jpeg_with_exif_gps_xmp_icc_and_comment_keeps_only_pixels():
    original = _jpeg_with_everything()
    assert {0xE1, 0xE2, 0xFE} <= set(_markers(original))  # the sample really carries them
    cleaned, content_type = clean_receipt(original)
    assert content_type == "image/jpeg"
    assert [m for m in _markers(cleaned) if 0xE1 <= m <= 0xEF or m == 0xFE] == []
    assert b"12345678Z" not in cleaned
    assert b"PhoneMaker" not in cleaned
    assert b"adobe:ns:meta" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (64, 48)
        assert "comment" not in image.info
        assert "xmp" not in image.info
        assert "icc_profile" not in image.info
        assert len(image.getexif()) == 0


def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def test_png_with_text_and_exif_chunks_keeps_only_pixels():
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 0)).save(out, "PNG")
    data = out.getvalue()
    extra = (_png_chunk(b"tEXt", b"Comment\x00Maria Garcia 12345678Z")
             + _png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP)
             + _png_chunk(b"eXIf", b"MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"))
    original = data[:33] + extra + data[33:]  # after the signature and IHDR
    cleaned, content_type = clean_receipt(original)
    assert content_type == "image/png"
    chunks, at = [], 8
    while at < len(cleaned):
        length = struct.unpack(">I", cleaned[at:at + 4])[0]
        chunks.append(cleaned[at + 4:at + 8])
        at += 12 + length
    assert chunks == [b"IHDR", b"IDAT", b"IEND"]
    assert b"12345678Z" not in cleaned
