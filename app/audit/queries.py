"""Read the audit trail: a record's history and the filtered log."""

from sqlalchemy import String, and_, cast, false, or_, select

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
                  date_from=None, date_to=None, text=None, reader=None):
    """Return the select of entries matching the log filters (within the reader's sponsors);
    ``text`` is searched in the record, the changes and the reason."""
    stmt = select(AuditEntry)
    if reader is not None:
        stmt = within_sponsors(stmt, reader)
    if text:
        stmt = stmt.where(text_condition(text, reader))
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


def text_condition(text, reader):
    """Return the search over record, changes and reason. For a reader who may not see what
    patients typed, the records that hold it are searched by their reason only: a match
    would tell the reader what the hidden text says."""
    from app.audit.labels import hides_patient_text, patient_typed_types
    from app.core.listing import search_filter

    in_record = search_filter(text, AuditEntry.entity_label, AuditEntry.changes)
    if reader is not None and hides_patient_text(reader):
        in_record = and_(AuditEntry.entity_type.not_in(patient_typed_types()), in_record)
    return or_(search_filter(text, AuditEntry.reason), in_record)


def within_sponsors(stmt, reader):
    """Narrow the entries to records of the trials of the sponsors the reader is limited to.

    A record counts when it is a trial or carries the trial (or a site of it) itself; entries
    about anything else (accounts, depots, a kit's ledger lines) stay out of a limited reader's
    sight, since nothing ties them to one sponsor.
    """
    trials = reader.sponsor_trials()
    if trials is None:
        return stmt
    sites = reader.sponsor_sites()
    from app.audit.services import Audited
    from app.extensions import db

    conditions = []
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if not issubclass(model, Audited) or "id" not in mapper.columns:
            continue
        columns = mapper.columns
        if model.__tablename__ == "trials":
            owned = model.id.in_(trials or {0})
        elif "trial_id" in columns:
            owned = columns["trial_id"].in_(trials or {0})
        elif "site_id" in columns:
            owned = columns["site_id"].in_(sites or {0})
        else:
            continue
        conditions.append((AuditEntry.entity_type == entity_type_of(model)) & AuditEntry.entity_id
                          .in_(select(cast(model.id, String)).where(owned)))
    return stmt.where(or_(*conditions) if conditions else false())


def chain_tail_broken(session, last=1000):
    """Return 1 when the latest entries or the chain head do not hold together, else 0.

    A cheap check for the home page (the latest ``last`` entries and the head); ``flask audit
    verify`` recomputes the whole chain.
    """
    from app.audit.models import AuditChainHead
    from app.audit.services import CHAIN_KEYED, audit_key, entry_hash

    rows = list(reversed(session.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(last)).all()))
    prev = rows[0].prev_hash if rows else None
    key = audit_key()
    for e in rows:
        expected = entry_hash(e.prev_hash, e.occurred_at, e.user_id, e.user_name,
                              e.entity_type, e.entity_id, e.entity_label, e.action, e.changes,
                              e.reason, key=key if e.chain_version == CHAIN_KEYED else None)
        if e.prev_hash != prev or expected != e.hash:
            return 1
        prev = e.hash
    head = session.get(AuditChainHead, 1)
    if head is not None and rows and (head.last_hash != prev or head.last_id != rows[-1].id):
        return 1
    return 0
