"""The demo stock: kits in every state, a site at its minimum, dispensings; idempotent."""

from sqlalchemy import func, select

from app.auth.demo import seed_users
from app.stock.demo import seed_stock
from app.stock.ledger_models import Dispensing
from app.stock.models import KIT_STATES, Kit
from app.stock.supply import resupply_needs
from app.trials.demo import seed_trials


def test_demo_stock_covers_every_state_and_is_idempotent(db):
    report = []
    trials = seed_trials(db.session, report)
    users = seed_users(db.session, trials, report)
    seed_stock(db.session, trials, users, report)
    states = set(db.session.scalars(select(Kit.state).distinct()))
    assert states == set(KIT_STATES)
    needs = resupply_needs(db.session, trials["ONC-2024-017"])
    assert [n.site.site_number for n in needs] == ["002"]
    assert needs[0].dispensable == needs[0].minimum and needs[0].quantity > 0
    assert db.session.scalar(select(func.count()).select_from(Dispensing)) == 3
    again = []
    seed_stock(db.session, trials, users, again)
    assert again == ["stock demo already present"]
