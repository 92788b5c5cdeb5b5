"""Small helpers thin views share."""

from flask import abort

from app.extensions import db


def get_or_404(model, ident):
    """Return the row with this primary key or answer 404."""
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record


def attach_error(form, error, default_field=None):
    """Show a service error under the field it names (or the default one)."""
    name = getattr(error, "field", None) or default_field
    target = getattr(form, name, None) if name else None
    if target is None:
        form.form_errors.append(str(error))
    else:
        target.errors = list(target.errors) + [str(error)]
