"""The one audit path: ORM changes and explicit events, chained by hash at commit time."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

from flask import current_app, has_request_context
from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from app.audit.models import (
    CHAIN_KEYED,
    CHAIN_UNKEYED,
    GENESIS_HASH,
    AuditChainHead,
    AuditEntry,
)
from app.core.bulk import insert_rows
from app.core.models import utcnow

REDACTED = "•••"


class AuditError(Exception):
    """A change the audit rules refuse."""


class ReasonRequired(AuditError):
    """A GxP change was attempted without a reason."""


class Audited:
    """Mixin: changes to this model are written to the audit trail automatically."""

    __audit_type__ = None
    __audit_ignore__ = frozenset({"created_at", "updated_at"})
    __audit_redact__ = frozenset()
    __audit_collections__ = ()
    __audit_reason_required__ = False
    __audit_deletable__ = False

    def audit_label(self):
        """Return a short human label for audit screens."""
        return str(getattr(self, "id", ""))

    def audit_redacted(self):
        """Return the fields whose values never enter the trail (identity, secrets)."""
        return self.__audit_redact__


@dataclass
class PendingEntry:
    action: str
    entity_type: str
    entity_id: str
    label: str | None
    changes: dict
    reason: str | None
    actor: tuple
    occurred_at: datetime = field(default_factory=utcnow)


def set_reason(session, reason):
    """Give the reason that the changes of this transaction are made for."""
    session.info["audit_reason"] = (reason or "").strip() or None


def set_actor(session, user_id, user_name):
    """Name who acts outside a request (CLI, background work)."""
    session.info["audit_actor"] = (user_id, user_name)


def current_actor(session):
    """Return (user id, name) that the audit entries of this transaction are written for."""
    return _actor(session)


def record_event(session, action, entity_type, entity_id, *, label=None, changes=None,
                 reason=None):
    """Queue an explicit event (login, signature, reveal...) for this transaction."""
    _pending(session).append(
        PendingEntry(
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            label=label,
            changes=_json_safe_changes(changes or {}),
            reason=reason or session.info.get("audit_reason"),
            actor=_actor(session),
        )
    )


def entity_type_of(obj):
    """Return the audit entity type name of a model instance or class."""
    cls = obj if isinstance(obj, type) else type(obj)
    return cls.__audit_type__ or cls.__tablename__


def _pending(session):
    return session.info.setdefault("audit_pending", [])


def _actor(session):
    if "audit_actor" in session.info:
        return session.info["audit_actor"]
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return (current_user.id, current_user.audit_name)
    return (None, "system")


def _json_safe(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return str(value)


def _json_safe_changes(changes):
    return {k: [_json_safe(old), _json_safe(new)] for k, (old, new) in changes.items()}


def _collection_labels(items):
    return sorted(str(getattr(i, "audit_label", lambda i=i: i)()) for i in items)


def _changes_of(obj, creating):
    """Return {field: (old, new)} for the column and listed collection changes of obj."""
    state = inspect(obj)
    mapper = state.mapper
    changes = {}
    for attr in mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_ignore__:
            continue
        hist = state.attrs[key].history
        if creating:
            new = getattr(obj, key)
            if new is None:
                continue
            old = None
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
        else:
            continue
        if key in obj.audit_redacted():
            old, new = (REDACTED if old is not None else None), REDACTED
        changes[key] = (old, new)
    for key in obj.__audit_collections__:
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        before = list(hist.unchanged or ()) + list(hist.deleted or ())
        after = list(hist.unchanged or ()) + list(hist.added or ())
        changes[key] = (_collection_labels(before), _collection_labels(after))
    return changes


def _before_flush(session, flush_context, instances):
    reason = session.info.get("audit_reason")
    for obj in session.dirty:
        if isinstance(obj, Audited) and obj.__audit_reason_required__ and not reason:
            if session.is_modified(obj) and _changes_of(obj, creating=False):
                raise ReasonRequired(f"a reason is required to change {entity_type_of(obj)}")
    for obj in session.deleted:
        if isinstance(obj, Audited) and not obj.__audit_deletable__:
            raise AuditError(f"{entity_type_of(obj)} records are never deleted")


def _after_flush(session, flush_context):
    reason = session.info.get("audit_reason")
    actor = _actor(session)
    pending = _pending(session)
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            changes = _changes_of(obj, creating=action == "create")
            if action == "update" and not changes:
                continue
            pending.append(PendingEntry(
                action=action,
                entity_type=entity_type_of(obj),
                entity_id=_primary_key(obj),
                label=str(obj.audit_label())[:200],
                changes=_json_safe_changes(changes),
                reason=reason,
                actor=actor,
            ))


def _primary_key(obj):
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(v) for v in values)


def entry_hash(prev_hash, occurred_at, user_id, user_name, entity_type, entity_id, label,
               action, changes, reason, key=None):
    """Return the hash that binds an entry to its content and its predecessor.

    With ``key`` (the audit key, bytes): HMAC-SHA256 over the versioned fields, which nobody
    without the key can recompute. Without: the plain SHA-256 of entries written before the
    key existed (chain version 1).
    """
    stamp = occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    fields = [prev_hash, stamp, user_id, user_name, entity_type, entity_id, label, action,
              changes, reason]
    if key is None:
        payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
    payload = json.dumps([CHAIN_KEYED, *fields], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def audit_key():
    """Return the audit HMAC key (AUDIT_HMAC_KEY) as bytes; it never enters the database."""
    return current_app.config["AUDIT_HMAC_KEY"].encode("utf-8")


def _before_commit(session):
    session.flush()
    pending = session.info.pop("audit_pending", None)
    if pending:
        append_entries(session.connection(), pending)
    session.info.pop("audit_reason", None)


def append_entries(connection, entries):
    """Append entries to the chain; the head row lock keeps writers in order."""
    table = AuditEntry.__table__
    head = AuditChainHead.__table__
    locked = connection.execute(update(head).where(head.c.id == 1).values(last_id=head.c.last_id))
    if locked.rowcount == 0:
        connection.execute(insert(head).values(id=1, last_id=0, last_hash=GENESIS_HASH))
    prev = connection.execute(select(head.c.last_hash).where(head.c.id == 1)).scalar_one()
    key = audit_key()
    rows = []
    for e in entries:
        changes = json.dumps(e.changes, ensure_ascii=False, sort_keys=True)
        user_id, user_name = e.actor
        digest = entry_hash(prev, e.occurred_at, user_id, user_name, e.entity_type, e.entity_id,
                            e.label, e.action, changes, e.reason, key=key)
        rows.append({
            "occurred_at": e.occurred_at, "user_id": user_id, "user_name": user_name,
            "entity_type": e.entity_type, "entity_id": e.entity_id, "entity_label": e.label,
            "action": e.action, "changes": changes, "reason": e.reason,
            "prev_hash": prev, "hash": digest, "chain_version": CHAIN_KEYED,
        })
        prev = digest
    insert_rows(connection, table, rows)  # one COPY on PostgreSQL for thousands
    last_id = connection.execute(select(table.c.id).where(table.c.hash == prev)).scalar_one()
    connection.execute(update(head).where(head.c.id == 1).values(last_hash=prev, last_id=last_id))


def _after_rollback(session):
    session.info.pop("audit_pending", None)
    session.info.pop("audit_reason", None)


def verify_chain(session, anchors=()):
    """Return (entries checked, id of the first broken entry or None, what is wrong).

    Keyed entries are checked with the audit key; unkeyed ones (from before the key) only
    before the first keyed entry. ``anchors`` (from ``app.audit.anchors.read_anchors``) are
    heads written outside the database: each anchored entry must still carry its anchored
    hash and position, and the chain must reach the newest anchor.
    """
    from app.audit.anchors import check_anchors

    key = audit_key()
    anchored = {a["entry_id"]: a for a in anchors if "problem" not in a}
    prev, checked, last_id, keyed_from, matched = GENESIS_HASH, 0, 0, None, set()
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(
        yield_per=2000)).scalars()
    for e in rows:
        if e.prev_hash != prev:
            return checked, e.id, "previous hash does not match the entry before it"
        if e.chain_version == CHAIN_KEYED:
            keyed_from = keyed_from or e.id
        elif keyed_from is not None or e.chain_version != CHAIN_UNKEYED:
            return checked, e.id, ("an unkeyed entry follows keyed ones: the chain was "
                                   "re-forged without the audit key")
        expected = entry_hash(prev, e.occurred_at, e.user_id, e.user_name, e.entity_type,
                              e.entity_id, e.entity_label, e.action, e.changes, e.reason,
                              key=key if e.chain_version == CHAIN_KEYED else None)
        if expected != e.hash:
            if e.chain_version == CHAIN_KEYED:
                return checked, e.id, ("content does not match its keyed hash: the entry was "
                                       "edited or re-hashed without the audit key")
            return checked, e.id, "content does not match its hash"
        checked += 1
        anchor = anchored.get(e.id)
        if anchor is not None and (anchor["hash"] != e.hash or anchor["entries"] != checked):
            return checked - 1, e.id, ("re-forged: the chain no longer matches the anchor "
                                       f"written {anchor['at']} at entry {e.id}")
        if anchor is not None:
            matched.add(e.id)
        prev = e.hash
        last_id = e.id
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.last_hash != prev or head.last_id != last_id):
        return checked, last_id or None, "entries are missing after the last one found"
    problem = check_anchors(anchors, matched, last_id, checked, keyed_from)
    if problem:
        return checked, last_id or None, problem
    return checked, None, ""


def _keep_old_values(mapper, cls):
    """Load the old value of an expired column before it is overwritten (for old -> new)."""
    if issubclass(cls, Audited):
        for attr in mapper.column_attrs:
            mapper.class_manager[attr.key].impl.active_history = True


def install_listeners():
    """Attach the audit listeners to every ORM session (idempotent)."""
    from sqlalchemy.orm import Mapper

    if not event.contains(Mapper, "mapper_configured", _keep_old_values):
        event.listen(Mapper, "mapper_configured", _keep_old_values)
    for name, fn in (("before_flush", _before_flush), ("after_flush", _after_flush),
                     ("before_commit", _before_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
