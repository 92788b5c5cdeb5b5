"""In-app notices and the e-mail outbox."""

from flask import Blueprint

bp = Blueprint("notify", __name__)


@bp.app_context_processor
def unread_notices():
    """Give the layout the number of unread notices of the logged-in user."""
    from flask_login import current_user

    from app.notify.queries import unread_count

    if not current_user.is_authenticated:
        return {"unread_notices": 0}
    return {"unread_notices": unread_count(current_user)}


from app.notify import views  # noqa: E402, F401
