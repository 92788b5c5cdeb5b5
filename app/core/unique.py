"""Refuse a name or number another record already holds (the friendly check before the
database's unique constraint)."""

from sqlalchemy import func, select

from app.core.errors import DomainError


def refuse_taken(session, column, value, message, field, *, record_id=None, among=()):
    """Refuse value when another row holds it in column, letter case ignored.

    record_id: the row being changed (it keeps its own value); among: conditions that bound
    the scope (the same trial).
    """
    model = column.class_
    clash = session.scalar(select(model.id).where(
        func.lower(column) == value.lower(), model.id != (record_id or 0), *among))
    if clash:
        raise DomainError(message, field)
