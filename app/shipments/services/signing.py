"""Signing steps of a shipment: stop before anything is made when the password is wrong."""

from sqlalchemy.exc import OperationalError

from app.auth.services import password_matches
from app.core.errors import DomainError
from app.core.models import utcnow
from app.esign.services import sign


def check_password_first(session, record, *, meaning, signer, password):
    """Stop before anything is made when the password is wrong or signing is locked.

    esign's sign() records the failed attempt (and any lock) against record and raises, so
    the view keeps the failure while the decision it would have made never exists.
    """
    locked = signer.signing_locked_until and signer.signing_locked_until > utcnow()
    if locked or not password_matches(signer, password):
        sign(session, record, meaning=meaning, signer=signer, password=password)


def sign_or_conflict(session, record, conflict, **signing):
    """Sign the record; a writer that lost a race on SQLite is told the conflict instead."""
    try:
        return sign(session, record, **signing)
    except OperationalError as error:  # SQLite: another writer committed first
        raise DomainError(conflict) from error
