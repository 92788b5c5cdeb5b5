"""Passwords, log-in with lock-out, invitations and account changes."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, select, update

from app.audit.services import record_event
from app.auth.models import User, UserRole, UserSponsor, new_session_token
from app.core.errors import DomainError
from app.core.models import utcnow

# argon2id. "owasp" is RFC 9106's low-memory profile, above OWASP's minimum; "test" is cheap.
PROFILES = {
    "owasp": dict(time_cost=3, memory_cost=65536, parallelism=4),
    "test": dict(time_cost=1, memory_cost=1024, parallelism=1),
}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


class AuthError(DomainError):
    """A log-in, password or invitation problem, with a message for the user.

    ``keep`` re-writes a failed log-in (counter, lock, audit entry) after the request's other
    writes are rolled back: see ``app.core.actions.roll_back_refusal``.
    """

    def __init__(self, message, field=None, keep=None):
        super().__init__(message, field)
        self.keep = keep


def _hasher():
    profile = PROFILES[current_app.config.get("ARGON2_PROFILE", "owasp")]
    return PasswordHasher(type=Type.ID, **profile)


def hash_password(password):
    """Return the argon2id hash of a password."""
    return _hasher().hash(password)


def password_matches(user, password):
    """Return True when the password is the user's; rehash if the cost changed.

    Exactly one argon2 verification whatever the account: one without a password is checked
    against a dummy hash, so the answer takes the same time.
    """
    hasher = _hasher()
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        hasher.verify(stored or _dummy_hash(), password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


_DUMMY_HASHES = {}


def _dummy_hash():
    """Return a hash of a random secret at the current cost (for timing-equal refusals)."""
    profile = current_app.config.get("ARGON2_PROFILE", "owasp")
    if profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[profile] = _hasher().hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[profile]


def password_problems(password, user_inputs=()):
    """Return the reasons a new password is refused (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    if not problems:
        # Imported here: its word lists take about 12 MB, needed only where passwords are set.
        from zxcvbn import zxcvbn

        # zxcvbn knows the common-password lists; only judge the first 100 chars (cost).
        inputs = [part for value in user_inputs if value for part in str(value).split("@")]
        if zxcvbn(password[:100], user_inputs=inputs)["score"] < 3:
            problems.append(_("This password is too common or too easy to guess."))
    return problems


def find_user_by_email(session, email):
    """Return the account with this e-mail (case-insensitive) or None."""
    email = (email or "").strip().lower()
    return session.scalar(select(User).where(func.lower(User.email) == email))


@dataclass
class Attempt:
    """A password attempt claimed (and committed) before the password is checked."""

    user_id: int | None
    allowed: bool
    count: int = 0
    locks: bool = False


def claim_attempt(session, *, email=None, user_id=None):
    """Count one password attempt in the database before the password is checked.

    One conditional UPDATE adds the attempt and, at the limit, locks the account; it refuses
    (changes no row) while the account is locked. The caller commits it at once
    (``app.core.actions.commit_first``) so parallel guesses cannot see a stale counter: a
    burst of N guesses gets at most LOGIN_MAX_FAILURES password checks.
    """
    config = current_app.config
    limit = config["LOGIN_MAX_FAILURES"]
    now = utcnow()
    reaches = User.failed_logins + 1 >= limit
    where = [User.locked_until.is_(None) | (User.locked_until <= now)]
    if user_id is not None:
        where.append(User.id == user_id)
    else:
        where.append(func.lower(User.email) == (email or "").strip().lower())
    claimed = session.execute(
        update(User).where(*where).values(
            failed_logins=case((reaches, 0), else_=User.failed_logins + 1),
            locked_until=case(
                (reaches, now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])),
                else_=User.locked_until))
        .execution_options(synchronize_session=False))
    if user_id is None:
        user_id = session.scalar(select(User.id).where(where[-1]))
    if user_id is None:
        return Attempt(None, False)
    row = session.execute(select(User.failed_logins, User.locked_until)
                          .where(User.id == user_id)).one()
    if claimed.rowcount != 1:
        return Attempt(user_id, False)
    locks = row.failed_logins == 0 and row.locked_until is not None and row.locked_until > now
    return Attempt(user_id, True, limit if locks else row.failed_logins, locks)


def authenticate(session, email, password, attempt):
    """Return the user for valid credentials of a claimed attempt; raise AuthError.

    Unknown, wrong, locked and password-less accounts get the same message after one argon2
    verification each. The refusal's audit entries are re-written after the rollback
    (``AuthError.keep``); the counter itself was committed with the claim.
    """
    generic = _("Wrong e-mail or password.")
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None or not attempt.allowed:
        password_matches(None, password)  # the same time as a real check
        if user is None:
            raise AuthError(generic)
        user_id, label = user.id, user.audit_label()

        def keep_refusal(again):
            record_event(again, "login_refused_locked", "user", user_id, label=label)

        keep_refusal(session)
        raise AuthError(generic, keep=keep_refusal)
    if not password_matches(user, password) or not user.active:
        user_id, label = user.id, user.audit_label()

        def keep_failure(again):
            _record_failure(again, "login_failed", user_id, label, attempt)

        keep_failure(session)
        raise AuthError(generic, keep=keep_failure)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    record_event(session, "login", "user", user.id, label=user.audit_label())
    session.flush()
    return user


def _record_failure(session, action, user_id, label, attempt):
    """Audit a failed password check (the counter and lock were set by the claim)."""
    record_event(session, action, "user", user_id, label=label,
                 changes={"failed_logins": (attempt.count - 1, attempt.count)})
    if attempt.locks:
        record_event(session, "account_locked", "user", user_id, label=label,
                     reason="repeated failed password checks")


def log_out(session, user):
    """End every session of the account and record the log-out."""
    end_sessions(user)
    record_event(session, "logout", "user", user.id, label=user.audit_label())
    session.flush()


def change_own_password(session, user, current, new, attempt):
    """Change one's own password after checking the current one; other sessions end.

    The check is a claimed attempt counted, locked and audited like a log-in.
    """
    user_id, label = user.id, user.audit_label()
    if not attempt.allowed:
        password_matches(None, current)

        def keep_refusal(again):
            record_event(again, "password_change_refused_locked", "user", user_id, label=label)

        keep_refusal(session)
        raise AuthError(_("Too many failed attempts. Try again in a few minutes."), "current",
                        keep=keep_refusal)
    if not password_matches(user, current):
        def keep_failure(again):
            _record_failure(again, "password_change_failed", user_id, label, attempt)

        keep_failure(session)
        message = (_("Too many failed attempts. Try again in a few minutes.") if attempt.locks
                   else _("The current password is not correct."))
        raise AuthError(message, "current", keep=keep_failure)
    set_password(session, user, new, reason="changed by the user")


def end_sessions(user):
    """Rotate the session token so every existing session cookie stops working."""
    user.session_token = new_session_token()


def set_password(session, user, password, *, reason):
    """Set a new password after checking the policy; ends the user's other sessions."""
    problems = password_problems(password, (user.email, user.full_name))
    if problems:
        raise AuthError(" ".join(problems), "password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    record_event(session, "password_set", "user", user.id, label=user.audit_label(), reason=reason)


def _invite_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(user):
    """Return a signed, single-use invitation token for the user."""
    return _invite_serializer().dumps({"u": user.id, "t": user.session_token[:16]})


def user_from_invitation(session, token):
    """Return the invited user for a valid token or raise AuthError."""
    max_age = current_app.config["INVITATION_DAYS"] * 86400
    try:
        data = _invite_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AuthError(_("This invitation link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise AuthError(_("This invitation link is not valid.")) from None
    user = session.get(User, data.get("u"))
    # The token embeds the session token, which setting a password rotates: single use.
    if user is None or not user.active or user.session_token[:16] != data.get("t"):
        raise AuthError(_("This invitation link has already been used or is not valid."))
    return user


def create_user(session, *, email, full_name, language, roles, sites=(), sponsors=()):
    """Create an account without a password; it is set through the invitation link."""
    email = email.strip().lower()
    if find_user_by_email(session, email):
        raise AuthError(_("An account with this e-mail already exists."), "email")
    user = User(email=email, full_name=full_name.strip(), language=language)
    user.role_links = [UserRole(role=r) for r in sorted(set(roles))]
    user.sites = list(sites)
    user.sponsor_links = [UserSponsor(sponsor=s) for s in sorted(set(sponsors))]
    session.add(user)
    session.flush()
    return user


def update_user(session, user, *, full_name, language, roles, sites, active, sponsors=None):
    """Change an account's name, language, roles, sites, sponsor limit and active flag."""
    user.full_name = full_name.strip()
    user.language = language
    current = {link.role: link for link in user.role_links}
    wanted = set(roles)
    user.role_links = [current.get(r) or UserRole(role=r) for r in sorted(wanted)]
    user.sites = list(sites)
    if sponsors is not None:
        kept = {link.sponsor: link for link in user.sponsor_links}
        user.sponsor_links = [kept.get(s) or UserSponsor(sponsor=s) for s in sorted(set(sponsors))]
    if user.active and not active:
        end_sessions(user)
    user.active = active
    session.flush()
