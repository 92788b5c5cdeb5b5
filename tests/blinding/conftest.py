"""Blinding tests read English and get the stock and blinding factories."""

import pytest

from tests import factories
from tests.blinding import factories as blinding_factories
from tests.stock import factories as stock_factories


@pytest.fixture(autouse=True)
def _english(request):
    if "db" in request.fixturenames:
        request.getfixturevalue("english")


@pytest.fixture
def stock(db):
    return factories.Factories(db.session, stock_factories)


@pytest.fixture
def blinding(db):
    return factories.Factories(db.session, blinding_factories)
