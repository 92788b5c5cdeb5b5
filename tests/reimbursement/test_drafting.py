"""Writing a claim: lines against the policy, submission once, bad input refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core import clock
from app.core.errors import DomainError
from app.core.templating import local_date
from app.reimbursement.models import Claim, ClaimStep
from app.reimbursement.services.drafting import add_line, attach_receipt, create_claim, submit_claim
from tests.reimbursement.factories import exactly, jpeg_bytes

pytestmark = pytest.mark.usefixtures("english")


def test_mileage_amount_is_km_times_the_policy_rate(world):
    claim = world.claim(lines=(("car_mileage", None, "42"),))
    assert claim.lines[0].amount == Decimal("10.92")  # 42 km x 0.26
    assert claim.lines[0].kind == "flat_allowance"
    assert claim.total_claimed == Decimal("10.92")


def test_flat_per_diem_uses_the_policy_amount(world):
    claim = world.claim(lines=(("meals", None, "2"),))
    assert claim.lines[0].amount == Decimal("60.00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "NaN", ""])
def test_zero_negative_and_non_numbers_are_refused(world, amount):
    claim = world.claim(lines=())
    with pytest.raises(DomainError) as error:
        add_line(world.session, claim, category="taxi", line_date=date(2026, 1, 24),
                 description="Taxi", amount=amount)
    assert error.value.field == "amount"
    assert claim.lines == []


def test_five_thousand_km_for_one_trip_is_refused(world):
    claim = world.claim(lines=())
    with pytest.raises(DomainError, match=exactly(
            "5000 km is more than the 1000 km allowed for one trip. Check the number or "
            "split the journey into trips.")) as error:
        add_line(world.session, claim, category="car_mileage", line_date=date(2026, 1, 24),
                 description="Car", quantity="5000")
    assert error.value.field == "quantity"


def test_future_dates_and_dates_before_enrolment_are_refused(world):
    claim = world.claim(lines=())
    for day, message in ((clock.today() + timedelta(days=1), "The date cannot be in the future."),
                         (date(2026, 1, 9), "The date cannot be before you joined the trial "
                                            f"({local_date(date(2026, 1, 10))}).")):
        with pytest.raises(DomainError, match=exactly(message)):
            add_line(world.session, claim, category="taxi", line_date=day,
                     description="Taxi", amount="10")


def test_submit_twice_changes_nothing_the_second_time(world):
    claim = world.claim()
    submit_claim(world.session, claim, world.patient, declaration=True)
    with pytest.raises(DomainError, match=exactly(
            "This claim has been submitted and can no longer be changed.")):
        submit_claim(world.session, claim, world.patient, declaration=True)
    steps = world.session.query(ClaimStep).filter_by(claim_id=claim.id).all()
    assert [s.status for s in steps] == ["submitted"]


def test_submit_needs_the_declaration(world):
    claim = world.claim()
    with pytest.raises(DomainError) as error:
        submit_claim(world.session, claim, world.patient, declaration=False)
    assert error.value.field == "declaration" and claim.status == "draft"


def test_editing_after_submission_is_refused(world):
    claim = world.submitted()
    with pytest.raises(DomainError, match=exactly(
            "This claim has been submitted and can no longer be changed.")):
        add_line(world.session, claim, category="taxi", line_date=date(2026, 1, 24),
                 description="Taxi", amount="10")
    with pytest.raises(DomainError, match=exactly(
            "This claim has been submitted; add a receipt only when the site asks for it.")):
        attach_receipt(world.session, claim.lines[0], jpeg_bytes(), "late.jpg", world.patient)


def test_same_creation_token_gives_one_claim(world):
    kwargs = dict(subject=world.subject, claimant=world.patient, entered_by=world.patient,
                  visit=world.visit, creation_token="tok-1")
    first = create_claim(world.session, **kwargs)
    second = create_claim(world.session, **kwargs)
    assert first.id == second.id
    assert world.session.query(Claim).filter_by(subject_id=world.subject.id).count() == 1


def test_submission_notifies_the_patient_in_their_language(world, db):
    from app.notify.models import Notice, OutboxMessage

    world.patient.language = "es"
    claim = world.submitted()
    notice = db.session.query(Notice).filter_by(user_id=world.patient.id).one()
    assert notice.message == f"Tu solicitud de reembolso {claim.reference}: Enviada."
    assert notice.link == f"/my/claims/{claim.id}"
    mail = db.session.query(OutboxMessage).filter_by(recipient=world.patient.email).one()
    assert mail.subject == f"Tu solicitud de reembolso {claim.reference}: Enviada."
    assert mail.body.startswith(f"Hola, {world.patient.full_name}:")
    assert mail.body.endswith(f"\n\nhttp://localhost/my/claims/{claim.id}")


def test_stay_claims_for_cell_therapy(world):
    claim = create_claim(world.session, subject=world.subject, claimant=world.patient,
                         entered_by=world.patient, stay_start=date(2026, 2, 1),
                         stay_end=date(2026, 2, 10))
    line = add_line(world.session, claim, category="lodging", line_date=date(2026, 2, 1),
                    description="Apartment near the hospital", amount="600", quantity="9")
    assert claim.visit is None and line.amount == Decimal("600.00")
    with pytest.raises(DomainError, match=exactly("The stay cannot end before it starts.")):
        create_claim(world.session, subject=world.subject, claimant=world.patient,
                     entered_by=world.patient, stay_start=date(2026, 2, 10),
                     stay_end=date(2026, 2, 1))


def test_huge_typed_numbers_are_a_field_message_not_an_error_page():
    import pytest

    from app.core.errors import DomainError
    from app.reimbursement.services.drafting import _decimal

    for typed in ("1e400", "1E+12", "Infinity", "NaN"):
        with pytest.raises(DomainError) as refused:
            _decimal(typed, "amount")
        assert refused.value.field == "amount"
    assert str(_decimal("12,50", "amount")) == "12.50"
