"""Read-only lookups every domain's views share."""

from flask import abort, has_request_context
from flask_login import current_user

from app.extensions import db


def get_or_404(model, ident):
    """Return the row with this primary key or answer 404 (also outside the sponsor limit)."""
    record = db.session.get(model, ident)
    if record is None or not within_sponsor_limit(record):
        abort(404)
    return record


def within_sponsor_limit(record, user=None):
    """Return False when the record belongs to a trial (or a site of one) of a sponsor the
    account is not limited to; records of no trial pass."""
    if user is None:
        if not has_request_context() or not current_user.is_authenticated:
            return True
        user = current_user
    allowed = user.sponsor_trials()
    if allowed is None:
        return True
    trial_id = record.id if getattr(record, "__tablename__", "") == "trials" else getattr(
        record, "trial_id", None)
    if trial_id is not None:
        return trial_id in allowed
    site_id = getattr(record, "site_id", None)
    if site_id is not None:
        return site_id in user.sponsor_sites()
    return True
