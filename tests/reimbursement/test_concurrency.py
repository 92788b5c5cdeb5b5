"""Two finance users batch the same claim at the same moment: one batch wins, on a real database."""

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.reimbursement.models import BatchItem, Claim
from app.reimbursement.services.payments import create_batch
from tests.reimbursement.factories import World


def test_a_claim_lands_in_one_batch_when_two_users_race(app, race_engine):
    with app.app_context(), Session(race_engine) as session:
        world = World(session)
        world.bank()
        claim = world.approved()
        session.commit()
        claim_id, users = claim.id, (world.finance.id, world.finance2.id)

    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def build(user_id):
        with app.app_context(), Session(race_engine) as session:
            original = session.execute

            def execute(statement, *args, **kwargs):
                # Both have read the claim as approved; now both try to take it.
                if getattr(statement, "is_update", False) and statement.table.name == "claims":
                    barrier.wait()
                return original(statement, *args, **kwargs)

            session.execute = execute
            try:
                from app.auth.models import User

                create_batch(session, [claim_id], session.get(User, user_id))
                session.commit()
                outcomes.append("batched")
            except Exception as error:  # noqa: BLE001 - the loser fails one way or another
                session.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=build, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["DomainError", "batched"], outcomes
    with Session(race_engine) as session:
        assert session.scalar(select(func.count()).select_from(BatchItem)
                              .where(BatchItem.claim_id == claim_id)) == 1
        assert session.get(Claim, claim_id).status == "in_batch"
