"""Records whose state differs from their audit trail: a direct edit that the database
triggers let through (a declared transition made in SQL) leaves no audit entry behind."""

import json

from sqlalchemy import select

from app.audit.models import AuditEntry

# State machines whose records are GxP evidence; their every status change is audited.
CHECKED_MACHINES = ("payment_batch",)


def state_mismatches(session, names=CHECKED_MACHINES):
    """Return [(machine name, record id, status now, status the audit trail ends with)]."""
    from app.core.states import machines

    found = []
    known = machines()
    for name in names:
        machine = known[name]
        model = machine.model
        entity_type = machine.audit_type or getattr(model, "__audit_type__", None) \
            or model.__tablename__
        audited = {}
        rows = session.execute(select(AuditEntry.entity_id, AuditEntry.changes)
                               .where(AuditEntry.entity_type == entity_type)
                               .order_by(AuditEntry.id))
        for entity_id, changes in rows:
            change = json.loads(changes or "{}").get(machine.column)
            if change:
                audited[entity_id] = change[1]
        column = getattr(model, machine.column)
        for record_id, status in session.execute(select(model.id, column).order_by(model.id)):
            expected = audited.get(str(record_id))
            if expected != status:
                found.append((name, record_id, status, expected))
    return found
