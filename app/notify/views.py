"""The user's notices: list and mark as read."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import login_only
from app.core.urls import safe_next
from app.extensions import db
from app.notify import bp
from app.notify.models import Notice
from app.notify.queries import notices_of
from app.notify.services import mark_all_read, mark_read


@bp.route("/")
@login_only
def list_notices():
    """Show the user's notices, newest first."""
    listing = build_listing(notices_of(current_user), sorts={"created": Notice.created_at},
                            default_sort="-created", search_columns=(Notice.message,))
    return render_template("notify/list.html", listing=listing)


@bp.route("/<int:notice_id>/open", methods=["POST"])
@login_only
def open_notice(notice_id):
    """Mark one notice read and go to what it is about."""
    notice = db.session.scalar(notices_of(current_user).where(Notice.id == notice_id))
    if notice is None:  # not the user's notice: nothing to open
        return redirect(url_for("notify.list_notices"))
    return perform(lambda: mark_read(db.session, notice), success=None,
                   next_url=safe_next(notice.link) or url_for("notify.list_notices"))


@bp.route("/read-all", methods=["POST"])
@login_only
def read_all():
    """Mark every notice of the user read."""
    return perform(lambda: mark_all_read(db.session, current_user), success=None,
                   next_url=safe_next(request.form.get("next")) or url_for("notify.list_notices"))
