"""Security headers and session freshness for every request."""

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.core.models import utcnow

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def keep_session_fresh():
    """Make the session permanent so the idle timeout applies and is renewed on use.

    Beside the idle timeout, a session ends SESSION_ABSOLUTE_HOURS after its log-in however
    busy it is (a session without a start time starts counting now).
    """
    session.permanent = True
    if "_user_id" not in session or request.path.startswith("/static/"):
        return None
    now = utcnow().timestamp()
    started = session.get("login_at")
    if not isinstance(started, (int, float)):
        session["login_at"] = now
        return None
    if now - started <= current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600:
        return None
    logout_user()
    session.clear()
    flash(_("Your session has ended. Please log in again."), "info")
    return redirect(url_for("auth.login"))


def add_security_headers(response):
    """Add CSP, framing, sniffing and referrer headers; keep private pages out of caches."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and current_user.is_authenticated and not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response
