"""Read-only lookups every domain's views share."""

from flask import abort

from app.extensions import db


def get_or_404(model, ident):
    """Return the row with this primary key or answer 404."""
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record
