"""Finance cancels a prepared, unreleased batch with a reason: the batch stays as history,
its claims wait for payment again and may go into a new batch; a released one cannot."""

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.notify.models import Notice
from app.reimbursement.models import BatchItem, ClaimStep
from app.reimbursement.services.payments import (
    cancel_batch,
    create_batch,
    mark_batch_paid,
    release_batch,
)
from tests.factories import PASSWORD
from tests.reimbursement.factories import exactly

pytestmark = pytest.mark.usefixtures("english")

REASON = "Wrong execution date chosen"


def prepared(world, n=2):
    world.bank()
    claims = [world.approved() for _ in range(n)]
    return create_batch(world.session, [c.id for c in claims], world.finance), claims


def test_cancelling_returns_the_claims_to_approved_and_keeps_the_batch(world, db):
    batch, claims = prepared(world)
    notices = world.session.scalar(select(func.count()).select_from(Notice))
    cancel_batch(world.session, batch, world.finance2, f"  {REASON} ")
    assert (batch.status, batch.cancel_reason, batch.cancelled_by_id) == (
        "cancelled", REASON, world.finance2.id)
    assert batch.cancelled_at is not None
    assert [c.status for c in claims] == ["approved", "approved"]
    assert len(batch.items) == 2  # the transfers stay as history
    db.session.commit()
    entries = world.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(("batch_cancelled", "claim_out_of_batch")))).all()
    assert sorted(e.action for e in entries) == ["batch_cancelled", "claim_out_of_batch",
                                                 "claim_out_of_batch"]
    assert {e.reason for e in entries} == {REASON}
    steps = world.session.scalars(select(ClaimStep).where(
        ClaimStep.claim_id == claims[0].id).order_by(ClaimStep.id.desc())).first()
    assert (steps.status, steps.meaning, steps.note) == ("approved", None, batch.message_id)
    # The claimants are not told: for them nothing changed but the wait.
    assert world.session.scalar(select(func.count()).select_from(Notice)) == notices


def test_the_claims_of_a_cancelled_batch_go_into_a_new_batch_and_are_paid(world, db):
    batch, claims = prepared(world)
    cancel_batch(world.session, batch, world.finance, REASON)
    again = create_batch(world.session, [c.id for c in claims], world.finance)
    assert [i.attempt for i in again.items] == [1, 1]
    assert {i.claim_id for i in again.items} == {c.id for c in claims}
    release_batch(world.session, again, world.finance2, PASSWORD)
    mark_batch_paid(world.session, again, world.finance)
    assert [c.status for c in claims] == ["paid", "paid"]
    assert world.session.scalar(select(func.count()).select_from(BatchItem).where(
        BatchItem.claim_id == claims[0].id)) == 2


def test_a_claim_is_still_in_at_most_one_live_batch(world, db):
    batch, claims = prepared(world, 1)
    with pytest.raises(DomainError, match="not waiting for payment"):
        create_batch(world.session, [claims[0].id], world.finance2)
    cancel_batch(world.session, batch, world.finance, REASON)
    create_batch(world.session, [claims[0].id], world.finance2)
    with pytest.raises(DomainError, match="not waiting for payment"):
        create_batch(world.session, [claims[0].id], world.finance)


def test_a_reason_is_required(world, db):
    batch, claims = prepared(world)
    with pytest.raises(DomainError, match=exactly("Say why the batch is cancelled.")) as refused:
        cancel_batch(world.session, batch, world.finance, "   ")
    assert refused.value.field == "reason"
    assert batch.status == "draft" and claims[0].status == "in_batch"


def test_a_released_or_paid_or_cancelled_batch_cannot_be_cancelled(world, db):
    batch, claims = prepared(world)
    release_batch(world.session, batch, world.finance2, PASSWORD)
    released = ("A released batch cannot be cancelled: its transfers may already be at the "
                "bank. Mark it paid, or ask the bank to recall it.")
    with pytest.raises(DomainError, match=exactly(released)):
        cancel_batch(world.session, batch, world.finance, REASON)
    mark_batch_paid(world.session, batch, world.finance)
    with pytest.raises(DomainError, match=exactly(released)):
        cancel_batch(world.session, batch, world.finance, REASON)
    other, _ = prepared(world, 1)
    cancel_batch(world.session, other, world.finance, REASON)
    with pytest.raises(DomainError, match=exactly("This batch has already been cancelled.")):
        cancel_batch(world.session, other, world.finance, REASON)
    assert batch.status == "paid"


def test_the_database_refuses_cancelling_a_released_batch(world, db):
    from sqlalchemy.exc import DatabaseError

    batch, _ = prepared(world)
    release_batch(world.session, batch, world.finance2, PASSWORD)
    world.session.flush()
    with pytest.raises(DatabaseError):
        world.session.execute(text(
            "UPDATE payment_batches SET status = 'cancelled', cancelled_at = released_at, "
            "cancel_reason = 'x' WHERE id = :id"), {"id": batch.id})
    world.session.rollback()


def test_the_batch_page_asks_before_cancelling_and_keeps_the_form(client, login, world, db):
    batch, claims = prepared(world)
    db.session.commit()
    login(world.finance)
    url = f"/reimbursement/batches/{batch.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'data-confirm="Cancel batch {batch.message_id}? Its claims go back' in page
    assert f'action="{url}/cancel"' in page
    refused = client.post(f"{url}/cancel", data={"reason": ""})
    assert refused.status_code in (200, 422)
    assert "Give a reason for this change." in refused.get_data(as_text=True)
    done = client.post(f"{url}/cancel", data={"reason": REASON})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "Batch cancelled; its claims are waiting for payment again." in page
    assert REASON in page and f'action="{url}/cancel"' not in page
    assert "pain001.xml" not in page
    assert "This batch was cancelled: it has no SEPA file." in page
    refused = client.post(f"{url}/pain001.xml", follow_redirects=True)
    assert "This batch was cancelled: it has no SEPA file." in refused.get_data(as_text=True)
    db.session.refresh(claims[0])
    assert claims[0].status == "approved"
