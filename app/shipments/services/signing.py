"""Signing steps of a shipment: stop before anything is made when the password is wrong."""

from sqlalchemy.exc import OperationalError

from app.core.errors import DomainError
from app.esign.services import check_password_first, sign

__all__ = ["check_password_first", "sign_or_conflict"]


def sign_or_conflict(session, record, conflict, **signing):
    """Sign the record; a writer that lost a race on SQLite is told the conflict instead."""
    try:
        return sign(session, record, **signing)
    except OperationalError as error:  # SQLite: another writer committed first
        raise DomainError(conflict) from error
