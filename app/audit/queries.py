"""Read the audit trail: a record's history and the filtered log."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.services import entity_type_of


def history_of(session, record, *related):
    """Return the entries of a record (and related records), newest first."""
    keys = [(entity_type_of(r), str(r.id)) for r in (record, *related) if r is not None]
    conditions = [
        (AuditEntry.entity_type == t) & (AuditEntry.entity_id == i) for t, i in keys
    ]
    from sqlalchemy import or_

    return session.scalars(
        select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id.desc()).limit(500)
    ).all()


def log_statement(*, user_id=None, entity_type=None, entity_id=None, action=None,
                  date_from=None, date_to=None):
    """Return the select of entries matching the log filters."""
    stmt = select(AuditEntry)
    if user_id:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if date_from:
        stmt = stmt.where(AuditEntry.occurred_at >= date_from)
    if date_to:
        stmt = stmt.where(AuditEntry.occurred_at < date_to)
    return stmt
