"""Uploads become visible only when their transaction commits.

``write_pending`` writes the bytes under ``pending/<final key>`` and notes the pair in the
session. A session ``after_commit`` hook renames each pending file to its final key; an
``after_rollback`` hook deletes them. A process killed between the write and the commit leaves
only a file under ``pending/`` with no record: ``flask files verify --remove-orphans`` removes it
once it is older than a day.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.files.storage import PENDING_PREFIX

INFO_KEY = "ensayo_pending_files"
log = logging.getLogger(__name__)


def write_pending(session, storage, final_key, source):
    """Write under the pending key; return (size, SHA-256)."""
    pending = PENDING_PREFIX + final_key
    size, sha256 = storage.put(pending, source)
    session.info.setdefault(INFO_KEY, {})[final_key] = (pending, storage)
    return size, sha256


def pending_key_of(session, final_key):
    """Return the pending key of a file written in this session and not yet committed."""
    if session is None:
        return None
    entry = session.info.get(INFO_KEY, {}).get(final_key)
    return entry[0] if entry else None


def _promote(session):
    pending = session.info.pop(INFO_KEY, None)
    for final_key, (pending_key, storage) in (pending or {}).items():
        storage.rename(pending_key, final_key)


def _discard(session):
    pending = session.info.pop(INFO_KEY, None)
    for pending_key, storage in (pending or {}).values():
        try:
            storage.delete(pending_key)
        except Exception:  # noqa: BLE001 - `files verify` finds what is left behind
            log.exception("could not delete the pending file %s", pending_key)


if not event.contains(Session, "after_commit", _promote):
    event.listen(Session, "after_commit", _promote)
    event.listen(Session, "after_rollback", _discard)
