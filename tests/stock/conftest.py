"""After every stock test the balances must equal the ledger."""

import pytest

from app.stock.services.ledger import verify_balances
from tests.stock import factories as stock_factories


@pytest.fixture(autouse=True)
def balances_agree_with_ledger(request):
    db = request.getfixturevalue("db") if "db" in request.fixturenames else None
    if db is None:
        yield
        return
    from flask_babel import force_locale

    with force_locale("en"):  # service messages outside a request read in English
        yield
    if db is not None:
        db.session.rollback()
        assert verify_balances(db.session) == []


class StockFactories:
    def __init__(self, session):
        self.session = session

    def __getattr__(self, name):
        fn = getattr(stock_factories, name)
        return lambda *args, **kwargs: fn(self.session, *args, **kwargs)


@pytest.fixture
def stock(db):
    return StockFactories(db.session)
