"""Read a user's notices."""

from sqlalchemy import func, select

from app.extensions import db
from app.notify.models import Notice


def unread_count(user):
    """Return how many notices the user has not read."""
    return db.session.scalar(select(func.count()).where(
        Notice.user_id == user.id, Notice.read_at.is_(None)))


def notices_of(user):
    """Return a select of the user's notices."""
    return select(Notice).where(Notice.user_id == user.id)
