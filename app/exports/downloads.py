"""Send rendered exports to the browser as uncached downloads."""

import re

from flask import send_file

# Control characters would break the Content-Disposition header; quotes and
# path separators have no business in a file name the browser will save.
_UNSAFE_FILENAME_CHARS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')
_MAX_FILENAME_LENGTH = 150


def safe_download_name(filename, extension):
    """Return filename cleaned for a Content-Disposition header, ending in extension."""
    stem = _UNSAFE_FILENAME_CHARS.sub("_", str(filename or "")).strip(" ._")
    if stem.lower().endswith(extension):
        stem = stem[: -len(extension)].rstrip(" ._")
    stem = stem[: _MAX_FILENAME_LENGTH - len(extension)] or "export"
    return stem + extension


def send_download(stream, *, mimetype, download_name, size, as_attachment=True):
    """Return a response streaming stream, marked so no cache keeps trial data."""
    response = send_file(
        stream,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        etag=False,
        conditional=False,
    )
    response.content_length = size
    response.headers["Cache-Control"] = "no-store"
    return response
