"""Error pages in the user's language; the 500 handler rolls back and shows no trace."""

from decimal import InvalidOperation

from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError

from app.extensions import db

PAGES = (400, 403, 404, 405, 413, 500)


def _render(code):
    if request.accept_mimetypes.best == "application/json":
        return {"error": code}, code
    return _page(f"errors/{code}.html", code)


def _page(template, code):
    """Render an error page; when the page itself cannot reach the database, say so (503)."""
    try:
        return render_template(template), code
    except OperationalError as error:
        if not database_unreachable(error):
            raise
        return render_unavailable()


def handle_http_error(error):
    """Render the page for an HTTP error."""
    code = getattr(error, "code", 500) or 500
    return _render(code if code in PAGES else 400)


def handle_csrf_error(error):
    """Explain an expired or missing form token."""
    return _page("errors/csrf.html", 400)


BUSY_WORDS = ("locked", "busy", "deadlock", "could not serialize")
# What drivers say when the database cannot be reached at all (server down, file gone).
UNREACHABLE_WORDS = ("connect", "connection", "unable to open database", "server closed",
                     "terminating", "could not translate host", "the database system is",
                     "disk i/o error", "timeout expired", "no such host")


def database_unreachable(error):
    """Return True when a database error means the database cannot be reached."""
    text = str(error).lower()
    return bool(getattr(error, "connection_invalidated", False)) or any(
        word in text for word in UNREACHABLE_WORDS)


def handle_busy_database(error):
    """Roll back; ask to retry when busy, say "service unavailable" when unreachable, else 500."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001, S110 - the connection is gone; nothing to undo
        pass
    text = str(error).lower()
    if any(word in text for word in BUSY_WORDS):
        return render_template("errors/busy.html"), 503
    if database_unreachable(error):
        return render_unavailable()
    return _render(500)


def render_unavailable():
    """Answer 503 with the app's own page (JSON for JSON clients), touching no database."""
    from app.extensions import login_manager

    # The user cannot be loaded: the page and the response hooks see an anonymous visitor.
    g._login_user = login_manager.anonymous_user()
    headers = {"Retry-After": "30"}
    if request.accept_mimetypes.best == "application/json":
        return {"error": 503, "status": "unavailable"}, 503, headers
    return render_template("errors/unavailable.html"), 503, headers


def handle_out_of_range(error):
    """Answer 400 when a number in the request cannot be stored or compared."""
    db.session.rollback()
    return _page("errors/out_of_range.html", 400)


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
