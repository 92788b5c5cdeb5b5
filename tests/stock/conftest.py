"""Stock tests read English, get the stock factories, and end with balances equal to the ledger."""

import pytest

from app.stock.services.ledger import verify_balances
from tests import factories
from tests.stock import factories as stock_factories


@pytest.fixture(autouse=True)
def balances_agree_with_ledger(request):
    if "db" not in request.fixturenames:
        yield
        return
    db = request.getfixturevalue("db")
    request.getfixturevalue("english")  # service messages outside a request read English
    yield
    db.session.rollback()
    assert verify_balances(db.session) == []


@pytest.fixture
def stock(db):
    """Give tests the stock factories bound to the test session (stock.make_kits(trial))."""
    return factories.Factories(db.session, stock_factories)
