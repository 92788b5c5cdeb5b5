"""Rows of the audit log for Excel, every key said in words in the user's language."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.exports.excel import Sheet, write_xlsx_file

# Entries are read in batches so the records their foreign keys name load a few at a time.
_BATCH = 500


def log_headers():
    """Return the column titles of the audit export."""
    return [_("Entry"), _("When (UTC)"), _("User"), _("Record type"), _("Record id"),
            _("Record"), _("Action"), _("Changes"), _("Reason"), _("Hash")]


def log_rows(entries, labels):
    """Yield one row per entry, lazily, with actions, types, fields and values in words."""
    batch = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == _BATCH:
            yield from _rows(batch, labels)
            batch = []
    yield from _rows(batch, labels)


def _rows(entries, labels):
    labels.prefetch(entries)
    for e in entries:
        yield [e.id, e.occurred_at, labels.actor(e), labels.record_type(e), e.entity_id,
               labels.record(e), labels.action(e), labels.summary(e), e.reason, e.hash]


def _statement(filters, user):
    """Return the log select for the filters, up to the entry the export was asked at."""
    from app.audit.models import AuditEntry
    from app.audit.queries import log_statement

    filters = dict(filters)
    upto = filters.pop("upto", None)
    stmt = log_statement(**filters, reader=user)
    return stmt.where(AuditEntry.id <= upto) if upto is not None else stmt


def log_sheet(session, filters, user):
    """Return the audit log sheet for the filters (the rows read lazily, in id order).

    Patient-typed text is hidden from readers without identity permission, as on screen.
    """
    from app.audit.labels import EntryLabels, hides_patient_text
    from app.audit.models import AuditEntry

    stmt = _statement(filters, user).order_by(AuditEntry.id)
    entries = session.scalars(stmt.execution_options(yield_per=_BATCH))
    return Sheet(title=_("Audit trail"), headers=log_headers(),
                 rows=log_rows(entries, EntryLabels(
                     session, hide_patient_text=hides_patient_text(user))),
                 widths=[9, 20, 24, 16, 10, 24, 18, 60, 40, 20])


def filters_as_params(session, filters):
    """Return the log filters as JSON values (a job's parameters), fixed at the last entry
    written now, so the file holds what the user asked for and not the job's own entries."""
    from app.audit.models import AuditEntry

    params = {key: value.isoformat() if isinstance(value, datetime) else value
              for key, value in filters.items() if value is not None}
    params["upto"] = session.scalar(select(func.max(AuditEntry.id))) or 0
    return params


def filters_from_params(params):
    """Return the log filters from a job's parameters."""
    filters = dict(params)
    for key in ("date_from", "date_to"):
        if filters.get(key):
            filters[key] = datetime.fromisoformat(filters[key])
    return filters


def count_log(session, user, params):
    """Return how many entries the filtered export has (the job kind's count)."""
    stmt = _statement(filters_from_params(params), user)
    return session.scalar(select(func.count()).select_from(stmt.subquery()))


def build_log(session, user, params, path, progress):
    """Write the filtered audit log to path (the job kind's build)."""
    write_xlsx_file(path, [log_sheet(session, filters_from_params(params), user)], progress)
