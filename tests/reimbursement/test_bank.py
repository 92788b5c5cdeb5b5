"""Bank details: IBAN checked, stored encrypted, revealed only to finance (audited)."""


import pytest

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.reimbursement.services.bank import decrypt_iban, reveal_iban, save_bank_account
from tests.reimbursement.factories import exactly

pytestmark = pytest.mark.usefixtures("english")


def test_invalid_iban_refused_and_valid_one_stored_encrypted(world, db):
    with pytest.raises(DomainError, match=exactly("This IBAN is not valid. Check the letters and digits.")) as error:
        save_bank_account(world.session, world.patient, iban="ES00 1234 5678 9012 3456 7890",
                          holder_name="X", holder_is_payee=True)
    assert error.value.field == "iban"
    account = world.bank()
    assert b"ES91" not in account.iban_encrypted
    assert account.masked_iban.endswith("1332") and "2100" not in account.masked_iban
    assert decrypt_iban(account.iban_encrypted) == "ES9121000418450200051332"


def test_a_third_party_account_needs_the_holders_authorisation(world):
    with pytest.raises(DomainError) as error:
        save_bank_account(world.session, world.patient, iban="ES9121000418450200051332",
                          holder_name="Ana López", holder_is_payee=False)
    assert error.value.field == "authorisation"


def test_reveal_is_audited(world, db, app):
    account = world.bank()
    with app.test_request_context():
        assert reveal_iban(world.session, account, world.finance) == "ES9121000418450200051332"
        with pytest.raises(DomainError):
            reveal_iban(world.session, account, world.site_user)
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="iban_revealed").one()
    assert entry.entity_id == str(account.id)
