"""Home page and language switch (the health check lives in app/ops)."""

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.core.actions import perform
from app.core.home import charts_of, work_queues_of
from app.core.nav import nav_for
from app.core.permissions import login_only, public
from app.core.urls import safe_next
from app.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def index():
    """Send visitors to log in and users to their home page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.roles == {"patient"}:
        return redirect(url_for("my.claims"))
    return redirect(url_for("core.home"))


@bp.route("/home")
@login_only
def home():
    """Show "what needs me now": the user's work queues, most urgent first, and charts.

    A patient (portal only) lands straight on their claims at /my.
    """
    if current_user.roles == {"patient"}:
        return redirect(url_for("my.claims"))
    waiting, clear = work_queues_of(db.session, current_user)
    return render_template("core/home.html", entries=nav_for(current_user), waiting=waiting,
                           clear=clear, charts=charts_of(db.session, current_user))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch between Spanish and English and stay on the same page."""
    lang = request.form.get("lang", "")
    if lang not in ("es", "en"):
        abort(400)

    def remember():
        session["lang"] = lang
        if current_user.is_authenticated and current_user.language != lang:
            current_user.language = lang  # the account keeps it for e-mails and next log-in

    return perform(remember, success=None,
                   next_url=safe_next(request.form.get("next")) or url_for("core.index"))
