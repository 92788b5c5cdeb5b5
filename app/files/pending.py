"""Uploads become visible only when their transaction commits.

``write_pending`` writes the bytes under ``pending/<final key>`` and notes it in the session
with the (possibly nested) transaction it belongs to. A session ``after_commit`` hook renames
each pending file to its final key; ``after_soft_rollback`` deletes the files of the
transaction rolled back (a savepoint's rollback only its own), and ``after_transaction_end``
deletes what is left when the outermost transaction ends without a commit (closed session).
A process killed between the write and the commit leaves only a file under ``pending/`` with
no record: ``flask files verify --remove-orphans`` removes it once it is older than a day.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from app.files.storage import PENDING_PREFIX

INFO_KEY = "ensayo_pending_files"
log = logging.getLogger(__name__)


def write_pending(session, storage, final_key, source):
    """Write under the pending key; return (size, SHA-256)."""
    if isinstance(session, scoped_session):
        session = session()
    pending = PENDING_PREFIX + final_key
    transaction = (session.get_nested_transaction() or session.get_transaction()
                   or session._autobegin_t())
    size, sha256 = storage.put(pending, source)
    session.info.setdefault(INFO_KEY, {})[final_key] = (pending, storage, transaction)
    return size, sha256


def pending_key_of(session, final_key):
    """Return the pending key of a file written in this session and not yet committed."""
    if session is None:
        return None
    entry = session.info.get(INFO_KEY, {}).get(final_key)
    return entry[0] if entry else None


def _promote(session):
    pending = session.info.pop(INFO_KEY, None)
    for final_key, (pending_key, storage, _transaction) in (pending or {}).items():
        storage.rename(pending_key, final_key)


def _within(transaction, ended):
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _discard(session, ended=None):
    """Delete the pending files written inside the ended transaction (all when None)."""
    pending = session.info.get(INFO_KEY)
    if not pending:
        return
    for final_key, (pending_key, storage, transaction) in list(pending.items()):
        if ended is not None and not _within(transaction, ended):
            continue
        del pending[final_key]
        try:
            storage.delete(pending_key)
        except Exception:  # noqa: BLE001 - `files verify` finds what is left behind
            log.exception("could not delete the pending file %s", pending_key)


def _rolled_back(session, previous_transaction):
    _discard(session, previous_transaction)


def _ended(session, transaction):
    if transaction.parent is None:
        _discard(session)  # the outermost transaction ended without a commit


if not event.contains(Session, "after_commit", _promote):
    event.listen(Session, "after_commit", _promote)
    event.listen(Session, "after_soft_rollback", _rolled_back)
    event.listen(Session, "after_transaction_end", _ended)
