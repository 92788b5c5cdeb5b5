"""Keep uploaded bytes outside the web root; sniff their type; serve them through checked views."""

import os
import secrets
import unicodedata
from urllib.parse import quote

from flask import Response, send_file, stream_with_context
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from app.files.models import StoredFile
from app.files.pending import pending_key_of, write_pending
from app.files.storage import CHUNK, PENDING_PREFIX, LocalStorage, get_storage

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
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text with its byte-order mark
        return "text/csv"
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


def object_key(key):
    """Return the store's key for a StoredFile.storage_key (two-letter folders, as always)."""
    return f"{key[:2]}/{key}"


def store_bytes(session, data, *, original_name, allowed_types, max_bytes, uploaded_by=None):
    """Check and keep the bytes; return the StoredFile (flushed, not committed).

    The bytes go under a pending key; they move to their final key when the session commits
    and are deleted when it rolls back (see app.files.pending).
    """
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > max_bytes:
        raise FileRefused(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    content_type = sniff_content_type(data)
    if content_type not in allowed_types:
        raise FileRefused(_("This kind of file is not accepted here."))
    key = secrets.token_hex(16) + EXTENSIONS.get(content_type, "")
    size, sha256 = write_pending(session, get_storage(), object_key(key), data)
    stored = StoredFile(original_name=clean_filename(original_name), storage_key=key,
                        content_type=content_type, size=size, sha256=sha256,
                        uploaded_by_id=uploaded_by.id if uploaded_by else None)
    session.add(stored)
    session.flush()
    return stored


def _current_key(stored):
    """Return the key the bytes are under now.

    In the session that wrote them and has not committed yet: the pending key. Committed by
    another process (a job's consumer, another server): the final key, or the pending key for
    the moment between that commit and the rename its after-commit hook does (on S3 a rename
    is a copy then a delete) — the committed record is the truth, the rename only tidies.
    """
    session = object_session(stored)
    final = object_key(stored.storage_key)
    mine = pending_key_of(session, final)
    if mine:
        return mine
    storage = get_storage()
    if not storage.exists(final) and storage.exists(PENDING_PREFIX + final):
        return PENDING_PREFIX + final
    return final


def open_stream(stored):
    """Return a binary stream of a stored file (the caller closes it)."""
    return get_storage().open(_current_key(stored))


def read_bytes(stored):
    """Return the bytes of a stored file."""
    return get_storage().read(_current_key(stored))


def send_stored_file(stored, as_attachment=False):
    """Answer with the file; call only after the caller has checked access."""
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        response = send_file(storage.path(_current_key(stored)), mimetype=stored.content_type,
                             as_attachment=as_attachment, download_name=stored.original_name,
                             max_age=0)
    else:
        body = storage.open(_current_key(stored))
        response = Response(stream_with_context(iter(lambda: body.read(CHUNK), b"")),
                            mimetype=stored.content_type)
        response.headers["Content-Length"] = str(stored.size)
        response.headers["Content-Disposition"] = content_disposition(
            stored.original_name, as_attachment)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def content_disposition(name, as_attachment):
    """Return a Content-Disposition value carrying a Unicode file name safely."""
    kind = "attachment" if as_attachment else "inline"
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def store_path(session, path, *, original_name, content_type, uploaded_by=None):
    """Keep a finished file built on disk (a background export); return the StoredFile.

    The bytes go to storage under a pending key (hashed on the way) and reach their final key
    when the session commits, like any upload; the caller's file is left where it is.
    """
    key = secrets.token_hex(16) + EXTENSIONS.get(content_type, "")
    with open(path, "rb") as source:
        size, sha256 = write_pending(session, get_storage(), object_key(key), source)
    stored = StoredFile(original_name=clean_filename(original_name), storage_key=key,
                        content_type=content_type, size=size, sha256=sha256,
                        uploaded_by_id=uploaded_by.id if uploaded_by else None)
    session.add(stored)
    session.flush()
    return stored
