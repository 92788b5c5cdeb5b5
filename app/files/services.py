"""Keep uploaded bytes outside the web root; sniff their type; serve them through checked views."""

import hashlib
import os
import secrets
import unicodedata
from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext as _

from app.files.models import StoredFile

EXTENSIONS = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "application/pdf": ".pdf",
    "text/csv": ".csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
    ".xlsx",
}


class FileRefused(Exception):
    """An upload refused for its type, size or content; the message is for the user."""


def sniff_content_type(data):
    """Return the MIME type the bytes really are, or None when unknown."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim",
                                                b"heis", b"hevc", b"hevx"):
        return "image/heic"
    if data.startswith(b"PK\x03\x04") and b"[Content_Types].xml" in data[:4096] \
            and b"xl/" in data:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if b"\x00" not in data[:65536] and _looks_like_text(data[:65536]):
        return "text/csv"
    return None


def _looks_like_text(head):
    for encoding in ("utf-8", "cp1252"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not text.lstrip().lower().startswith(("<!doctype", "<html", "<script", "<svg"))
    return False


def clean_filename(name):
    """Return a display-safe original file name (no path, no control characters)."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|*?:')
    return (name.strip() or "file")[:255]


def storage_path(key):
    """Return where the bytes of a storage key live."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / key[:2] / key


def store_bytes(session, data, *, original_name, allowed_types, max_bytes, uploaded_by=None):
    """Check and keep the bytes; return the StoredFile (flushed, not committed)."""
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > max_bytes:
        raise FileRefused(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    content_type = sniff_content_type(data)
    if content_type not in allowed_types:
        raise FileRefused(_("This kind of file is not accepted here."))
    key = secrets.token_hex(16) + EXTENSIONS.get(content_type, "")
    path = storage_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stored = StoredFile(original_name=clean_filename(original_name), storage_key=key,
                        content_type=content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by_id=uploaded_by.id if uploaded_by else None)
    session.add(stored)
    session.flush()
    return stored


def read_bytes(stored):
    """Return the bytes of a stored file."""
    return storage_path(stored.storage_key).read_bytes()


def send_stored_file(stored, as_attachment=False):
    """Answer with the file; call only after the caller has checked access."""
    response = send_file(storage_path(stored.storage_key), mimetype=stored.content_type,
                         as_attachment=as_attachment, download_name=stored.original_name,
                         max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def store_path(session, path, *, original_name, content_type, uploaded_by=None):
    """Keep a finished file built on disk (a background export); return the StoredFile.

    The bytes are copied into storage under a fresh key with a temporary name first and then
    renamed, hashing them on the way; the caller's file is left where it is.
    """
    key = secrets.token_hex(16) + EXTENSIONS.get(content_type, "")
    target = storage_path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as source, open(partial, "wb") as out:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    stored = StoredFile(original_name=clean_filename(original_name), storage_key=key,
                        content_type=content_type, size=size, sha256=digest.hexdigest(),
                        uploaded_by_id=uploaded_by.id if uploaded_by else None)
    session.add(stored)
    session.flush()
    return stored
