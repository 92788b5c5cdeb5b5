"""Two people executing the same destruction batch at once: exactly one succeeds."""

from sqlalchemy import func, select

from app.destruction.models import DestructionBatch
from app.destruction.services.batches import execute, witness
from app.extensions import db
from app.stock.models import StockEntry
from tests.dbsetup import english
from tests.destruction.factories import (
    make_authorisation,
    make_batch,
    make_received_return,
    make_verified,
    make_world,
)
from tests.factories import PASSWORD
from tests.shipments.test_concurrency import run_together


def test_two_users_execute_the_same_batch(race_app):
    with race_app.app_context(), race_app.test_request_context(), english(race_app):
        world = make_world(db.session)
        make_received_return(db.session, world)
        make_verified(db.session, world)
        batch = make_batch(db.session, world, make_authorisation(db.session, world))
        witness(db.session, batch, signer=world.qp, password=PASSWORD)
        db.session.commit()
        ids = (batch.id, world.logistics.id, world.logistics2.id)
        db.session.remove()

    def executor(user_id):
        def prepare(session):
            from app.auth.models import User

            mine = session.get(DestructionBatch, ids[0])
            user = session.get(User, user_id)
            _ = mine.authorisation, mine.trial, user.roles  # loaded before the start line
            return lambda: execute(session, mine, signer=user, password=PASSWORD)
        return prepare

    results = run_together(race_app, [executor(ids[1]), executor(ids[2])])
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert ("changed by someone else" in loser or "already signed" in loser
            or "already been executed" in loser), loser
    with race_app.app_context():
        batch = db.session.get(DestructionBatch, ids[0])
        assert batch.status == "executed"
        assert db.session.scalar(select(func.count()).select_from(StockEntry).where(
            StockEntry.event == "destruction", StockEntry.document_ref == batch.number)) == 3
        db.session.remove()
