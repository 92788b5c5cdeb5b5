"""Marking a batch paid asks the bank's value date and reference, never before execution."""

from datetime import timedelta

import pytest

from app.core import clock
from app.core.errors import DomainError
from app.notify.models import OutboxMessage
from app.reimbursement.services.payments import create_batch, mark_batch_paid, release_batch
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("english")


def released(world):
    world.bank()
    claims = [world.approved() for _ in range(2)]
    batch = create_batch(world.session, [c.id for c in claims], world.finance)
    release_batch(world.session, batch, world.finance2, PASSWORD)
    return batch, claims


def test_a_value_date_before_the_execution_date_is_refused(world, db):
    batch, _ = released(world)
    with pytest.raises(DomainError) as refused:
        mark_batch_paid(world.session, batch, world.finance,
                        value_date=batch.execution_date - timedelta(days=1),
                        bank_reference="REF-1")
    assert str(refused.value).startswith("The value date cannot be before the batch's "
                                         "execution date")
    assert refused.value.field == "value_date" and batch.status == "released"


def test_a_value_date_in_the_future_is_refused(world, db):
    batch, _ = released(world)
    with pytest.raises(DomainError) as refused:
        mark_batch_paid(world.session, batch, world.finance,
                        value_date=clock.today() + timedelta(days=1), bank_reference="REF-1")
    assert str(refused.value).startswith("The value date cannot be in the future")
    assert refused.value.field == "value_date" and batch.status == "released"


def test_paid_keeps_value_date_and_reference_and_tells_the_amount(world, db):
    batch, claims = released(world)
    mark_batch_paid(world.session, batch, world.finance, value_date=batch.execution_date,
                    bank_reference="CABK 0042")
    assert (batch.status, batch.value_date, batch.bank_reference) == (
        "paid", batch.execution_date, "CABK 0042")
    mails = world.session.query(OutboxMessage).filter(
        OutboxMessage.body.contains("Your bank statement will show the reference")).all()
    assert len(mails) == 2
    assert any(claims[0].reference in m.body and "€" in m.body for m in mails)


def test_the_batch_page_asks_before_marking_paid(client, login, world, db):
    batch, _ = released(world)
    db.session.commit()
    login(world.finance)
    page = client.get(f"/reimbursement/batches/{batch.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-confirm="Mark batch {batch.message_id} paid?' in page
    assert 'name="value_date"' in page and 'name="bank_reference"' in page
    response = client.post(f"/reimbursement/batches/{batch.id}/paid", data={
        "value_date": (batch.execution_date - timedelta(days=3)).isoformat(),
        "bank_reference": "TYPED-REF"}, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="TYPED-REF"' in page
    assert "The value date cannot be before" in page


def test_the_claimant_reads_who_in_words_never_names_or_batch_ids(client, login, world, db):
    batch, claims = released(world)
    mark_batch_paid(world.session, batch, world.finance, value_date=batch.execution_date,
                    bank_reference="CABK 0042")
    db.session.commit()
    login(claims[0].claimant)
    page = client.get(f"/my/claims/{claims[0].id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "your hospital" in page and "the finance team" in page
    assert "Your bank statement will show the reference" in page
    assert batch.message_id not in page
    for staff in (world.finance, world.finance2, world.site_user):
        assert staff.full_name not in page
