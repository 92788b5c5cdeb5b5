"""The user list's filters (read only), shared by the list and the admin's work queue."""

from sqlalchemy import func, select

from app.auth.models import User, UserRole
from app.core.permissions import ROLES


def users_filtered(args):
    """Return a select of accounts narrowed by ``role`` and ``status``.

    ``status``: active, inactive, or invited (active, the password not set yet).
    """
    stmt = select(User)
    role = args.get("role")
    if role in ROLES:
        stmt = stmt.where(User.role_links.any(UserRole.role == role))
    status = args.get("status")
    if status in ("active", "inactive"):
        stmt = stmt.where(User.active.is_(status == "active"))
    elif status == "invited":
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_(None))
    return stmt


def invited_count(session, user):
    """Return how many accounts were invited and have not set their password yet."""
    from werkzeug.datastructures import MultiDict

    return session.scalar(select(func.count()).select_from(
        users_filtered(MultiDict({"status": "invited"})).subquery()))
