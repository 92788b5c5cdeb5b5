"""Site validation and four-eyes finance approval, line by line, and their flags."""

from datetime import date
from decimal import Decimal

import pytest

from app.core.errors import DomainError
from app.reimbursement.services.drafting import add_line, attach_receipt, submit_claim
from app.reimbursement.services.flags import flags_for
from app.reimbursement.services.policy import policy_for
from app.reimbursement.services.review import approve_claim, request_receipt, validate_claim
from tests.factories import make_user
from tests.reimbursement.factories import exactly, jpeg_bytes

pytestmark = pytest.mark.usefixtures("english")


def test_site_reduces_a_line_with_a_reason(world):
    claim = world.submitted(lines=(("taxi", Decimal("40"), None), ("parking_tolls",
                                                                   Decimal("4"), None)))
    taxi, parking = claim.lines
    validate_claim(world.session, claim,
                   {taxi.id: ("reduced", Decimal("30"), "Taxi capped at 30 EUR")}, world.site_user)
    assert claim.status == "validated" and claim.validated_by_id == world.site_user.id
    assert taxi.site_amount == Decimal("30.00")
    assert taxi.reason_for_patient == "Taxi capped at 30 EUR"
    assert parking.site_decision == "approved"


def test_reduce_and_reject_need_a_reason_and_a_sane_amount(world):
    claim = world.submitted()
    line = claim.lines[0]
    for decision, message, field in (
            ({line.id: ("rejected", None, "")}, "Give the reason the patient will read.",
             f"reason_{line.id}"),
            ({line.id: ("reduced", Decimal("99"), "too much")},
             "A reduced amount must be more than 0 and less than €25.00.", f"amount_{line.id}"),
            ({line.id: ("reduced", Decimal("-1"), "neg")},
             "A reduced amount must be more than 0 and less than €25.00.", f"amount_{line.id}")):
        with pytest.raises(DomainError, match=exactly(message)) as refused:
            validate_claim(world.session, claim, decision, world.site_user)
        assert refused.value.field == field
    world.session.rollback()


def test_only_staff_of_the_site_validate(world, db):
    claim = world.submitted()
    other = make_user(db.session, roles=("site",))
    with pytest.raises(DomainError,
                       match=exactly("Only staff of the claim's site can validate it.")):
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
    with pytest.raises(DomainError, match=exactly(
            "You validated, submitted or entered this claim, so someone else in finance "
            "must approve it.")):
        approve_claim(world.session, claim, {}, both)
    # Site staff who entered a claim on the patient's behalf cannot approve it either.
    entered = world.claim(by=both)
    assert entered.on_behalf
    submit_claim(world.session, entered, both, declaration=True)
    validate_claim(world.session, entered, {}, world.site_user)
    with pytest.raises(DomainError, match=exactly(
            "You validated, submitted or entered this claim, so someone else in finance "
            "must approve it.")):
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
    far = add_line(world.session, claim, category="parking_tolls", line_date=date(2026, 3, 1),
                   description="Parking", amount="12")
    flags = flags_for(world.session, claim)
    assert flags.lines[first.id] == ["over_line_cap", "receipt_reused", "duplicate_line"]
    assert flags.lines[second.id] == ["over_line_cap", "receipt_reused", "duplicate_line"]
    assert flags.lines[far.id] == ["receipt_missing", "far_from_visit"]
    assert flags.claim == [] and flags.count == 8


def test_missing_receipt_added_after_the_site_asks(world):
    claim = world.submitted(receipt=False)
    line = claim.lines[0]
    request_receipt(world.session, claim, line, world.site_user, "Please add the taxi ticket")
    receipt = attach_receipt(world.session, line, jpeg_bytes(), "late.jpg", world.patient)
    assert receipt.after_submission and not line.receipt_requested
    assert claim.status == "submitted"


def test_every_refused_line_is_named_at_once(world):
    from app.core.errors import FieldErrors

    claim = world.submitted(lines=(("taxi", Decimal("40"), None),
                                   ("parking_tolls", Decimal("9"), None)))
    taxi, parking = claim.lines
    with pytest.raises(FieldErrors) as refused:
        validate_claim(world.session, claim, {taxi.id: ("reduced", Decimal("99"), "x"),
                                              parking.id: ("rejected", None, "")},
                       world.site_user)
    assert refused.value.errors == [
        (f"amount_{taxi.id}", "A reduced amount must be more than 0 and less than €40.00."),
        (f"reason_{parking.id}", "Give the reason the patient will read.")]
    world.session.rollback()
