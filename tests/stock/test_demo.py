"""The demo stock: kits in every state, a site at its minimum, dispensings; idempotent."""

from sqlalchemy import func, select

from app.auth.demo import seed_users
from app.stock.demo.seed import seed_stock
from app.stock.models import KIT_STATES, Dispensing, Kit
from app.stock.services.supply import resupply_needs
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


def test_the_large_data_set_is_refused_in_production(app, db):
    from app.stock.demo.large import PROTOCOL
    from app.trials.models import Trial

    runner = app.test_cli_runner()
    saved = app.config["DEMO_ALLOWED"]
    app.config["DEMO_ALLOWED"] = False
    try:
        result = runner.invoke(args=["stock", "demo-data", "--large", "--sites", "2",
                                     "--kits", "10", "--lines", "20"])
    finally:
        app.config["DEMO_ALLOWED"] = saved
    assert result.exit_code == 1
    assert result.output == "Error: Demo data is refused in production.\n"
    assert db.session.scalar(select(Trial.id).where(Trial.protocol_code == PROTOCOL)) is None
    result = runner.invoke(args=["stock", "demo-data"])
    assert (result.exit_code, result.output) == (0, "Add --large to build the large data set.\n")
