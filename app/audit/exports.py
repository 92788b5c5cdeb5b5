"""Rows of the audit log for Excel."""

from flask_babel import gettext as _


def log_headers():
    """Return the column titles of the audit export."""
    return [_("Entry"), _("When (UTC)"), _("User"), _("Record type"), _("Record id"),
            _("Record"), _("Action"), _("Changes"), _("Reason"), _("Hash")]


def log_rows(entries):
    """Yield one row per entry, lazily."""
    for e in entries:
        yield [e.id, e.occurred_at, e.user_name, e.entity_type, e.entity_id, e.entity_label,
               e.action, e.changes, e.reason, e.hash]
