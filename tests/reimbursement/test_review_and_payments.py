"""Site validation, four-eyes finance approval, batches, SEPA and bank details."""

from datetime import date
from decimal import Decimal

import pytest

from app.audit.models import AuditEntry
from app.esign.services import SigningError
from app.reimbursement.bank import decrypt_iban, reveal_iban, save_bank_account
from app.reimbursement.claims import attach_receipt
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.models import BatchItem, Claim
from app.reimbursement.payments import create_batch, mark_batch_paid, release_batch
from app.reimbursement.review import approve_claim, flags_for, request_receipt, validate_claim
from app.reimbursement.sepa import build_pain001, sepa_rule_problems, sepa_text
from tests.factories import PASSWORD, make_user
from tests.reimbursement.factories import jpeg_bytes

pytestmark = pytest.mark.usefixtures("english")


def test_site_reduces_a_line_with_a_reason(world):
    claim = world.submitted(lines=(("taxi", Decimal("40"), None), ("parking_tolls",
                                                                   Decimal("4"), None)))
    taxi, parking = claim.lines
    validate_claim(world.session, claim,
                   {taxi.id: ("reduced", Decimal("30"), "Taxi capped at 30 EUR")}, world.site_user)
    assert claim.status == "validated" and claim.validated_by_id == world.site_user.id
    assert taxi.site_amount == Decimal("30.00") and taxi.reason_for_patient
    assert parking.site_decision == "approved"


def test_reduce_and_reject_need_a_reason_and_a_sane_amount(world):
    claim = world.submitted()
    line = claim.lines[0]
    for decision in ({line.id: ("rejected", None, "")},
                     {line.id: ("reduced", Decimal("99"), "too much")},
                     {line.id: ("reduced", Decimal("-1"), "neg")}):
        with pytest.raises(ReimbursementError):
            validate_claim(world.session, claim, decision, world.site_user)
    world.session.rollback()


def test_only_staff_of_the_site_validate(world, db):
    claim = world.submitted()
    other = make_user(db.session, roles=("site",))
    with pytest.raises(ReimbursementError, match="site"):
        validate_claim(world.session, claim, {}, other)


def test_all_lines_rejected_rejects_the_claim(world):
    claim = world.submitted()
    validate_claim(world.session, claim, {claim.lines[0].id: ("rejected", None, "No visit")},
                   world.site_user)
    assert claim.status == "rejected"


def test_approver_is_never_the_validator_nor_the_submitter(world, db):
    both = make_user(db.session, roles=("site", "finance"), sites=[world.site])
    claim = world.submitted()
    validate_claim(world.session, claim, {}, both)
    with pytest.raises(ReimbursementError, match="someone else"):
        approve_claim(world.session, claim, {}, both)
    # Site staff who entered a claim on the patient's behalf cannot approve it either.
    entered = world.claim(by=both)
    assert entered.on_behalf
    from app.reimbursement.claims import submit_claim
    submit_claim(world.session, entered, both, declaration=True)
    validate_claim(world.session, entered, {}, world.site_user)
    with pytest.raises(ReimbursementError, match="someone else"):
        approve_claim(world.session, entered, {}, both)
    approve_claim(world.session, entered, {}, world.finance)
    assert entered.status == "approved"


def test_partial_approval_per_line(world):
    claim = world.validated(lines=(("taxi", Decimal("40"), None), ("car_mileage", None, "100")))
    taxi, car = claim.lines
    approve_claim(world.session, claim, {taxi.id: ("rejected", None, "Duplicate of RC-1")},
                  world.finance)
    assert claim.status == "approved"
    assert claim.total_approved == Decimal("26.00") == car.approved_amount
    assert taxi.approved_amount == Decimal("0.00")


def test_flags_cap_missing_receipt_reuse_distance_duplicate(world):
    from app.audit.services import set_reason
    from app.reimbursement.policy import policy_for

    policy = policy_for(world.session, world.trial)
    set_reason(world.session, "caps for the test")
    policy.cap_per_line = Decimal("30")
    world.session.flush()
    claim = world.claim(lines=(("taxi", Decimal("40"), None), ("taxi", Decimal("40"), None)),
                        receipt=False)
    first, second = claim.lines
    image = jpeg_bytes()
    attach_receipt(world.session, first, image, "a.jpg", world.patient)
    attach_receipt(world.session, second, image, "b.jpg", world.patient)
    from app.reimbursement.claims import add_line
    far = add_line(world.session, claim, category="parking_tolls", line_date=date(2026, 3, 1),
                   description="Parking", amount="12")
    flags = flags_for(world.session, claim)
    assert {"over_line_cap", "receipt_reused", "duplicate_line"} <= set(flags.lines[first.id])
    assert {"receipt_missing", "far_from_visit"} <= set(flags.lines[far.id])


def test_missing_receipt_added_after_the_site_asks(world):
    claim = world.submitted(receipt=False)
    line = claim.lines[0]
    request_receipt(world.session, claim, line, world.site_user, "Please add the taxi ticket")
    receipt = attach_receipt(world.session, line, jpeg_bytes(), "late.jpg", world.patient)
    assert receipt.after_submission and not line.receipt_requested
    assert claim.status == "submitted"


def test_invalid_iban_refused_and_valid_one_stored_encrypted(world, db):
    with pytest.raises(ReimbursementError, match="not valid") as error:
        save_bank_account(world.session, world.patient, iban="ES00 1234 5678 9012 3456 7890",
                          holder_name="X", holder_is_payee=True)
    assert error.value.field == "iban"
    account = world.bank()
    assert b"ES91" not in account.iban_encrypted
    assert account.masked_iban.endswith("1332") and "2100" not in account.masked_iban
    assert decrypt_iban(account.iban_encrypted) == "ES9121000418450200051332"


def test_a_third_party_account_needs_the_holders_authorisation(world):
    with pytest.raises(ReimbursementError) as error:
        save_bank_account(world.session, world.patient, iban="ES9121000418450200051332",
                          holder_name="Ana López", holder_is_payee=False)
    assert error.value.field == "authorisation"


def test_reveal_is_audited(world, db, app):
    account = world.bank()
    with app.test_request_context():
        assert reveal_iban(world.session, account, world.finance) == "ES9121000418450200051332"
        with pytest.raises(ReimbursementError):
            reveal_iban(world.session, account, world.site_user)
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="iban_revealed").one()
    assert entry.entity_id == str(account.id)


def _approved_with_bank(world, n=2):
    world.bank()
    return [world.approved() for _ in range(n)]


def test_batch_release_by_another_user_then_paid_once(world, db):
    claims = _approved_with_bank(world)
    batch = create_batch(world.session, [c.id for c in claims], world.finance)
    assert all(c.status == "in_batch" for c in claims)
    assert batch.total == sum(c.total_approved for c in claims)
    with pytest.raises(ReimbursementError, match="other than"):
        release_batch(world.session, batch, world.finance, PASSWORD)
    with pytest.raises(SigningError):
        release_batch(world.session, batch, world.finance2, "wrong password")
    release_batch(world.session, batch, world.finance2, PASSWORD)
    assert batch.status == "released"
    mark_batch_paid(world.session, batch, world.finance)
    assert batch.status == "paid"
    for claim in claims:
        world.session.refresh(claim)
        assert claim.status == "paid" and claim.paid_at
    with pytest.raises(ReimbursementError, match="already been paid"):
        mark_batch_paid(world.session, batch, world.finance)


def test_a_claim_is_never_in_two_batches(world, db):
    claims = _approved_with_bank(world, 1)
    create_batch(world.session, [claims[0].id], world.finance)
    with pytest.raises(ReimbursementError, match="not waiting for payment"):
        create_batch(world.session, [claims[0].id], world.finance2)


def test_the_database_refuses_a_second_batch_item_for_a_claim(world, db):
    from sqlalchemy.exc import IntegrityError

    claims = _approved_with_bank(world, 1)
    batch = create_batch(world.session, [claims[0].id], world.finance)
    item = batch.items[0]
    world.session.add(BatchItem(batch_id=batch.id, claim_id=item.claim_id, amount=item.amount,
                                payee_name="x", iban_encrypted=item.iban_encrypted,
                                iban_last4="1332"))
    with pytest.raises(IntegrityError):
        world.session.flush()
    world.session.rollback()


def test_conditional_update_stops_a_concurrent_batch(world, db):
    from sqlalchemy import update

    claims = _approved_with_bank(world, 1)
    # Another request batches the claim between our read and our update.
    world.session.execute(update(Claim).where(Claim.id == claims[0].id)
                          .values(status="in_batch"))
    world.session.execute(update(Claim).where(Claim.id == claims[0].id)
                          .values(status="approved"))
    original = world.session.execute

    def racing(statement, *args, **kwargs):
        if getattr(statement, "is_update", False) and statement.table.name == "claims":
            original(update(Claim).where(Claim.id == claims[0].id).values(status="in_batch"))
        return original(statement, *args, **kwargs)

    world.session.execute = racing
    try:
        with pytest.raises(ReimbursementError, match="another batch"):
            create_batch(world.session, [claims[0].id], world.finance)
    finally:
        del world.session.execute


def test_pain001_validates_and_carries_only_the_reference(world, db, app):
    world.bank(holder="José Núñez Peña & Hijos")
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    xml = build_pain001(batch, batch.items)
    text = xml.decode()
    assert batch.message_id in text
    assert f"<Ustrd>{claim.reference}</Ustrd>" in text
    assert world.trial.protocol_code not in text and "Jose Nunez Pena" in text
    assert "<InstdAmt Ccy=\"EUR\">25.00</InstdAmt>" in text
    assert sepa_rule_problems(xml) == []


def test_sepa_rule_checks_catch_what_the_schema_allows():
    bad = ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><x>'
           '<InstdAmt Ccy="USD">1.5</InstdAmt><Nm>Zoë</Nm><Ustrd>ONC-2024 RC-000001</Ustrd>'
           '</x></Document>').encode()
    problems = " ".join(sepa_rule_problems(bad))
    assert "USD" in problems and "two decimals" in problems
    assert "SEPA set" in problems and "more than the claim reference" in problems
    assert sepa_text("Zoë Müller-Łukasz ñ") == "Zoe Muller-Lukasz n"


def test_the_xsd_check_refuses_what_the_schema_forbids(world, db):
    from app.reimbursement.sepa import schema_problems

    world.bank()
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    xml = build_pain001(batch, batch.items)
    assert schema_problems(xml) == []
    too_long = xml.replace(batch.message_id.encode(), b"M" * 40, 1)
    assert schema_problems(too_long)
