"""Error pages in the user's language; the 500 handler rolls back and shows no trace."""

from decimal import InvalidOperation

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError

from app.extensions import db

PAGES = (400, 403, 404, 405, 413, 500)


def _render(code):
    if request.accept_mimetypes.best == "application/json":
        return {"error": code}, code
    return render_template(f"errors/{code}.html"), code


def handle_http_error(error):
    """Render the page for an HTTP error."""
    code = getattr(error, "code", 500) or 500
    return _render(code if code in PAGES else 400)


def handle_csrf_error(error):
    """Explain an expired or missing form token."""
    return render_template("errors/csrf.html"), 400


BUSY_WORDS = ("locked", "busy", "deadlock", "could not serialize")


def handle_busy_database(error):
    """Roll back and ask to retry when the database is busy; other faults are a 500."""
    db.session.rollback()
    if not any(word in str(error).lower() for word in BUSY_WORDS):
        return _render(500)
    return render_template("errors/busy.html"), 503


def handle_out_of_range(error):
    """Answer 400 when a number in the request cannot be stored or compared."""
    db.session.rollback()
    return render_template("errors/out_of_range.html"), 400


def handle_server_error(error):
    """Roll back whatever was half done and show a plain page."""
    db.session.rollback()
    return _render(500)


def install(app):
    """Register the handlers."""
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, handle_http_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(OperationalError, handle_busy_database)
    for error in (OverflowError, DataError, InvalidOperation):
        app.register_error_handler(error, handle_out_of_range)
    app.register_error_handler(500, handle_server_error)
