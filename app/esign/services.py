"""Sign a record: re-check the password, bind the signature to a hash of the content."""

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import entity_type_of, record_event
from app.auth.services import password_matches
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.permissions import ROLE_PERMISSIONS, ROLES
from app.esign.models import MEANINGS, Signature


class SigningError(DomainError):
    """The signature was refused; the message is for the signer.

    ``keep`` re-writes the failed attempt (counter, lock, audit entry) after the request's
    other writes are rolled back: see ``app.core.actions.roll_back_refusal``.
    """

    def __init__(self, message, keep=None):
        super().__init__(message, "password")
        self.keep = keep


def content_hash(record, meaning):
    """Return the SHA-256 of what the record declares as its signed content.

    A record whose successive signatures all bind the same frozen content (e.g. a log the
    site submits and the monitor verifies) sets ``__signed_content_shared__ = True``: its
    hash leaves the meaning out, so every signature of it carries the same hash.
    """
    if getattr(record, "__signed_content_shared__", False):
        meaning = None
    payload = json.dumps(
        {"type": entity_type_of(record), "id": str(record.id), "meaning": meaning,
         "content": record.signature_content()},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_canonical,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _canonical(value):
    """Say a value one way whether it was just typed or read back from the database: a
    decimal without its column's padding ("1.8", not "1.800"), a time in UTC (SQLite gives it
    back without a zone), a date in ISO form."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def signing_role(signer, role=None):
    """Return the role the signer signs in: the one given, else the first signing role held."""
    if role:
        return role
    return next((r for r in ROLES if r in signer.roles
                 and "esign.sign" in ROLE_PERMISSIONS.get(r, ())), "") or "none"


def _already_signed(meaning):
    return DomainError(_("This record is already signed with the meaning “%(meaning)s” by "
                         "someone in the same role.", meaning=MEANINGS[meaning]))


def sign(session, record, *, meaning, signer, password, comment=None, role=None):
    """Sign the record for the signer after re-checking the password; return the Signature.

    One signature per meaning per record and signer role: checked here with a plain-words
    refusal, and by a unique index, so a parallel signer that passed the check still loses.
    """
    if meaning not in MEANINGS:
        raise SigningError(_("Unknown signature meaning."))
    now = utcnow()
    entity_type, entity_id = entity_type_of(record), str(record.id)
    role = signing_role(signer, role)
    label = f"{entity_type} {entity_id}"
    if session.scalar(select(Signature.id).where(
            Signature.entity_type == entity_type, Signature.entity_id == entity_id,
            Signature.meaning == meaning, Signature.role == role)) is not None:
        raise _already_signed(meaning)
    if signer.signing_locked_until and signer.signing_locked_until > now:
        return _refuse_locked(session, signer, label)
    if not password_matches(signer, password):
        return _refuse_wrong_password(session, signer.id, label)
    signature = Signature(
        signer_id=signer.id, printed_name=signer.full_name, meaning=meaning, signed_at=now,
        entity_type=entity_type, entity_id=entity_id, role=role,
        content_hash=content_hash(record, meaning), comment=(comment or "").strip() or None,
    )
    try:
        with session.begin_nested():
            session.add(signature)
            session.flush()
    except IntegrityError as error:  # a parallel signer committed the same meaning first
        raise _already_signed(meaning) from error
    if signer.failed_signatures:
        signer.failed_signatures = 0
    return signature


def check_password_first(session, record, *, meaning, signer, password):
    """Stop before anything is made when the password is wrong or signing is locked.

    sign() records the failed attempt (and any lock) against record, an existing record, and
    raises, so the view keeps the failure while the record it would have made never exists.
    """
    locked = signer.signing_locked_until and signer.signing_locked_until > utcnow()
    if locked or not password_matches(signer, password):
        sign(session, record, meaning=meaning, signer=signer, password=password)


def _refuse_locked(session, signer, label):
    signer_id = signer.id

    def keep(again):
        record_event(again, "signature_refused_locked", "user", signer_id, label=label)

    keep(session)
    raise SigningError(_("Signing is locked after repeated wrong passwords. "
                         "Try again in a few minutes."), keep)


def _note_failure(session, signer_id, label):
    """Count a wrong password at signing (and lock signing); return True when now locked."""
    from app.auth.models import User

    config = current_app.config
    signer = session.get(User, signer_id)
    signer.failed_signatures += 1
    record_event(session, "signature_failed", "user", signer.id, label=label,
                 changes={"failed_signatures": (signer.failed_signatures - 1,
                                                signer.failed_signatures)})
    if signer.failed_signatures < config["SIGN_MAX_FAILURES"]:
        return False
    signer.signing_locked_until = utcnow() + timedelta(minutes=config["SIGN_LOCK_MINUTES"])
    signer.failed_signatures = 0
    record_event(session, "signing_locked", "user", signer.id, label=label,
                 reason="repeated wrong passwords at signing")
    return True


def _refuse_wrong_password(session, signer_id, label):
    locked = _note_failure(session, signer_id, label)

    def keep(again):
        _note_failure(again, signer_id, label)

    if locked:
        raise SigningError(_("Signing is locked after repeated wrong passwords. "
                             "Try again in a few minutes."), keep)
    raise SigningError(_("The password is not correct. The record was not signed."), keep)


def signatures_for(session, record):
    """Return the record's signatures, oldest first."""
    return session.scalars(
        select(Signature)
        .where(Signature.entity_type == entity_type_of(record),
               Signature.entity_id == str(record.id))
        .order_by(Signature.signed_at)
    ).all()


def signature_is_current(signature, record):
    """Return True when the record still has the content that was signed."""
    return signature.content_hash == content_hash(record, signature.meaning)
