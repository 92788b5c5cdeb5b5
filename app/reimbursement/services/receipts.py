"""Receipt uploads: checked by content, size-limited, images re-encoded without metadata."""

import functools
import hashlib
import io
import threading
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageOps

from app.files.services import FileRefused, sniff_content_type, store_bytes
from app.reimbursement.services.receipt_pdf import rewrite_pdf

RECEIPT_TYPES = ("image/jpeg", "image/png", "image/heic", "image/webp", "application/pdf")
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
# A phone photo is about 12-48 megapixels; anything far above is refused before decoding.
MAX_RECEIPT_PIXELS = 50_000_000
# Pillow's pixel limit and the warnings filters are process-wide: one decode at a time.
_DECODE_LOCK = threading.Lock()


def clean_receipt(data):
    """Return (bytes to keep, content type) or raise FileRefused with a message."""
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_RECEIPT_BYTES:
        raise FileRefused(_("The file is larger than %(mb)s MB.",
                            mb=MAX_RECEIPT_BYTES // (1024 * 1024)))
    content_type = sniff_content_type(data)
    if content_type not in RECEIPT_TYPES:
        raise FileRefused(_("Attach a photo (JPEG, PNG, HEIC, WebP) or a PDF. "
                            "This file is not one of them."))
    if content_type == "application/pdf":
        return rewrite_pdf(data), content_type
    return _reencoded_image(data)


def _on_white(image):
    """Return the image in RGB with any transparency laid over white paper."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and
                                             "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


def _reencoded_image(data):
    """Decode with bomb protection, then save fresh pixels only (no EXIF, GPS, XMP, comment)."""
    with _DECODE_LOCK:
        return _reencode_locked(data)


@functools.cache
def _open_heic_too():
    """Teach Pillow to open iPhone photos (HEIC), once, when the first image comes in: the
    decoder is loaded only by processes that receive receipts (not the job consumer)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _reencode_locked(data):
    _open_heic_too()
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_RECEIPT_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_RECEIPT_PIXELS:
                    raise FileRefused(_("This image is too large. Take the photo again at a "
                                        "lower resolution."))
                source_format = image.format
                if getattr(image, "n_frames", 1) > 1:
                    raise FileRefused(_("This is an animated image. Attach a still photo of "
                                        "the receipt."))
                image = ImageOps.exif_transpose(image)
                image.load()
                rgb = _on_white(image)
                # Pillow writes back what .info holds (JPEG comment, XMP, ICC, PNG text): drop it.
                rgb.info = {}
                out = io.BytesIO()
                if source_format == "PNG":
                    rgb.save(out, "PNG", optimize=True)
                    return out.getvalue(), "image/png"
                rgb.save(out, "JPEG", quality=85, optimize=True)
                return out.getvalue(), "image/jpeg"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(_("This image is too large. Take the photo again at a lower "
                            "resolution.")) from None
    except FileRefused:
        raise
    except (OSError, ValueError, SyntaxError):
        raise FileRefused(_("This image cannot be read. Try another photo.")) from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def store_receipt(session, data, original_name, by):
    """Clean and store a receipt; return (StoredFile, SHA-256 of the bytes as uploaded)."""
    original_sha = hashlib.sha256(data or b"").hexdigest()
    cleaned, content_type = clean_receipt(data)
    stored = store_bytes(session, cleaned, original_name=original_name,
                         allowed_types=(content_type,), max_bytes=MAX_RECEIPT_BYTES,
                         uploaded_by=by)
    return stored, original_sha
