"""Rows of the audit log for Excel, every key said in words in the user's language."""

from flask_babel import gettext as _

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
