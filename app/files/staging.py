"""An uploaded file between its preview and its storage: kept in the file store, by user.

The user reads the preview (a logger file's readings, zone, date order) before anything is
kept; the bytes wait under ``staging/`` in the file store (shared by every server) and are
bound to the user and to what the file is for (``owner``: a record's id or a name such as
``storage-<location id>``). Abandoned previews are orphans that ``flask files verify
--remove-orphans`` clears.
"""

import hashlib
import re
import secrets

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.files.storage import StorageError, get_storage

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _key(token, user_id, owner):
    return f"staging/logger-{user_id}-{owner}-{token}"


def stage(data, user_id, owner):
    """Keep the bytes for the preview; return the token that names them."""
    token = secrets.token_hex(16)
    get_storage().put(_key(token, user_id, owner), data)
    return token


def staged(token, user_id, owner):
    """Return the staged bytes, or raise DomainError when they are gone or not this user's."""
    if not _TOKEN.match(token or ""):
        raise DomainError(_("Choose the logger's file."), "file")
    try:
        return get_storage().read(_key(token, user_id, owner))
    except StorageError:
        raise DomainError(_("The file read for the preview is no longer here. Choose the "
                            "file again."), "file") from None


def drop(token, user_id, owner):
    """Remove the staged bytes once they are stored (or abandoned)."""
    if _TOKEN.match(token or ""):
        get_storage().delete(_key(token, user_id, owner))


def incoming(form, user_id, owner, max_bytes, check):
    """Return (bytes, file name): a new file is staged, else the staged one is read back.

    check(data) refuses a file that is too large before anything is kept.
    """
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        data = upload.read(max_bytes + 1)
        check(data)
        form.staged.data = stage(data, user_id, owner)
        form.staged_name.data = upload.filename[:200]
        return data, upload.filename
    if not form.staged.data:
        raise DomainError(_("Choose the logger's file."), "file")
    return staged(form.staged.data, user_id, owner), form.staged_name.data or "logger.csv"


def fingerprint(data, options):
    """Return a short digest of the bytes and the reading choices, to tie a preview to them."""
    text = repr(sorted(vars(options).items())).encode("utf-8")
    return hashlib.sha256(hashlib.sha256(data).digest() + text).hexdigest()[:32]
