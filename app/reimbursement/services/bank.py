"""Bank details: IBAN check, encryption at rest, masking and audited reveals."""

import base64
import re
import unicodedata
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from app.audit.services import record_event
from app.core.errors import DomainError
from app.files.services import FileRefused
from app.reimbursement.models import BankAccount
from app.reimbursement.services.receipts import store_receipt
from app.reimbursement.services.sepa_countries import SEPA_COUNTRIES, spanish_check_digits_ok

_IBAN_PREFIX = re.compile(r"^\s*IBAN[\s:]*", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f.-]+")


@cache
def _fernet_for(secret):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ensayo-bank-data",
               info=b"iban-encryption-v1").derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def fernet():
    """Return the cipher whose key HKDF derives from BANK_DATA_KEY (or SECRET_KEY)."""
    config = current_app.config
    return _fernet_for(config.get("BANK_DATA_KEY") or config["SECRET_KEY"])


def encrypt_iban(iban):
    """Return the encrypted bytes of a compact IBAN."""
    return fernet().encrypt(iban.encode("ascii"))


def decrypt_iban(token):
    """Return the IBAN kept in encrypted bytes."""
    return fernet().decrypt(bytes(token)).decode("ascii")


def normalise_iban(value):
    """Return the IBAN without a leading "IBAN", spaces or hyphens, in capitals."""
    return _SPACES.sub("", _IBAN_PREFIX.sub("", value or "")).upper()


def clean_iban(value):
    """Return the compact IBAN or raise DomainError with a message for the user.

    Accepts "IBAN ES91 2100 ...", spaces and lower case; the country must be in the SEPA
    scheme list; Spanish IBANs must also pass their national check digits.
    """
    compact = normalise_iban(value)
    if not compact:
        raise DomainError(_("Give the IBAN."), field="iban")
    foreign = next((c for c in compact if not ("A" <= c <= "Z" or "0" <= c <= "9")), None)
    if foreign is not None:
        raise DomainError(_("The IBAN contains “%(char)s” (%(name)s), which is not a Latin "
                            "letter or a digit. Type the IBAN again rather than pasting it.",
                            char=foreign, name=unicodedata.name(foreign, "?").title()),
                          field="iban")
    try:
        iban = IBAN(compact)
    except SchwiftyException:
        raise DomainError(
            _("This IBAN is not valid. Check the letters and digits."), field="iban") from None
    if iban.country_code not in SEPA_COUNTRIES:
        raise DomainError(_("Only accounts in SEPA countries can be paid."), field="iban")
    if iban.country_code == "ES" and not spanish_check_digits_ok(iban.compact):
        raise DomainError(_("The Spanish account's own check digits (the two digits after "
                            "the branch) do not match: check the account number."),
                          field="iban")
    return iban.compact


def mask(iban):
    """Return an IBAN with only country and last four characters shown."""
    return f"{iban[:2]}•• •••• •••• •••• {iban[-4:]}"


def save_bank_account(session, user, *, iban, holder_name, holder_is_payee, authorisation=None,
                      bic=None):
    """Create or replace a payee's bank details; the IBAN is stored encrypted."""
    compact = clean_iban(iban)
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise DomainError(_("Give the name of the account holder."), field="holder_name")
    account = session.query(BankAccount).filter_by(user_id=user.id).one_or_none()
    if not holder_is_payee and authorisation is None and (
            account is None or account.authorisation_file_id is None):
        raise DomainError(
            _("When the account is not yours, attach the holder's signed authorisation."),
            field="authorisation")
    if account is None:
        account = BankAccount(user_id=user.id)
        session.add(account)
    account.holder_name = holder_name
    account.iban_encrypted = encrypt_iban(compact)
    account.iban_country = compact[:2]
    account.iban_last4 = compact[-4:]
    account.bic = (bic or "").strip().upper() or None
    account.holder_is_payee = bool(holder_is_payee)
    if authorisation is not None:
        account.authorisation_file_id = authorisation.id
    if holder_is_payee:
        account.authorisation_file_id = None
    session.flush()
    return account


def save_bank_details(session, user, *, iban, holder_name, holder_is_payee, bic=None,
                      authorisation_file=None):
    """Save the payee's bank details from the portal form; keep the holder's authorisation.

    ``authorisation_file`` is (bytes, original name) or None; it is stored only when the
    account is not in the payee's name.
    """
    authorisation = None
    if not holder_is_payee and authorisation_file is not None:
        data, original_name = authorisation_file
        try:
            authorisation, _sha = store_receipt(session, data, original_name, user)
        except FileRefused as error:
            raise DomainError(str(error), field="authorisation") from None
    return save_bank_account(session, user, iban=iban, holder_name=holder_name, bic=bic,
                             holder_is_payee=holder_is_payee, authorisation=authorisation)


def reveal_iban(session, account, by):
    """Return the full IBAN for finance and record the reveal in the audit trail."""
    if not by.can("reimbursement.bank"):
        raise DomainError(_("You may not see full bank details."))
    record_event(session, "iban_revealed", "bank_account", account.id,
                 label=account.masked_iban, reason="finance reveal")
    return decrypt_iban(account.iban_encrypted)
