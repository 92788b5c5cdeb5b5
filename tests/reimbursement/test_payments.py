"""Payment batches: built by one finance user, released by another, paid once."""

import pytest

from app.core.errors import DomainError
from app.esign.services import SigningError
from app.reimbursement.models import BatchItem, Claim
from app.reimbursement.services.payments import create_batch, mark_batch_paid, release_batch
from tests.factories import PASSWORD
from tests.reimbursement.factories import exactly

pytestmark = pytest.mark.usefixtures("english")


def _approved_with_bank(world, n=2):
    world.bank()
    return [world.approved() for _ in range(n)]


def test_batch_release_by_another_user_then_paid_once(world, db):
    claims = _approved_with_bank(world)
    batch = create_batch(world.session, [c.id for c in claims], world.finance)
    assert all(c.status == "in_batch" for c in claims)
    assert batch.total == sum(c.total_approved for c in claims)
    with pytest.raises(DomainError, match=exactly(
            "Someone other than the person who built the batch must release it.")):
        release_batch(world.session, batch, world.finance, PASSWORD)
    with pytest.raises(SigningError):
        release_batch(world.session, batch, world.finance2, "wrong password")
    release_batch(world.session, batch, world.finance2, PASSWORD)
    assert batch.status == "released"
    mark_batch_paid(world.session, batch, world.finance)
    assert batch.status == "paid"
    for claim in claims:
        world.session.refresh(claim)
        assert claim.status == "paid" and claim.paid_at == batch.paid_at
    with pytest.raises(DomainError, match=exactly("This batch has already been paid.")):
        mark_batch_paid(world.session, batch, world.finance)


def test_a_claim_is_never_in_two_batches(world, db):
    claims = _approved_with_bank(world, 1)
    create_batch(world.session, [claims[0].id], world.finance)
    with pytest.raises(DomainError, match="not waiting for payment"):
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
        with pytest.raises(DomainError, match=exactly(
                "Some claims were put into another batch meanwhile. Reload the page and "
                "choose again.")):
            create_batch(world.session, [claims[0].id], world.finance)
    finally:
        del world.session.execute
