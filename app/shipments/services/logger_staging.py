"""A logger file between its preview and its storage: kept in the file store, by user.

The user reads the preview (readings, zone, date order) before anything is kept; the bytes
wait under ``staging/`` in the file store (shared by every server) and are bound to the user
and the shipment. Abandoned previews are orphans that ``flask files verify --remove-orphans``
clears.
"""

import hashlib
import re
import secrets

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.files.storage import StorageError, get_storage

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _key(token, user_id, shipment_id):
    return f"staging/logger-{user_id}-{shipment_id}-{token}"


def stage(data, user_id, shipment_id):
    """Keep the bytes for the preview; return the token that names them."""
    token = secrets.token_hex(16)
    get_storage().put(_key(token, user_id, shipment_id), data)
    return token


def staged(token, user_id, shipment_id):
    """Return the staged bytes, or raise DomainError when they are gone or not this user's."""
    if not _TOKEN.match(token or ""):
        raise DomainError(_("Choose the logger's file."), "file")
    try:
        return get_storage().read(_key(token, user_id, shipment_id))
    except StorageError:
        raise DomainError(_("The file read for the preview is no longer here. Choose the "
                            "file again."), "file") from None


def drop(token, user_id, shipment_id):
    """Remove the staged bytes once they are stored (or abandoned)."""
    if _TOKEN.match(token or ""):
        get_storage().delete(_key(token, user_id, shipment_id))


def fingerprint(data, options):
    """Return a short digest of the bytes and the reading choices, to tie a preview to them."""
    text = repr(sorted(vars(options).items())).encode("utf-8")
    return hashlib.sha256(hashlib.sha256(data).digest() + text).hexdigest()[:32]
