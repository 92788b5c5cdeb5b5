"""Stock tests read English, get the stock factories, and end with balances equal to the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.models import utcnow
from app.stock.services.catalog import site_location
from app.stock.services.ledger import move_kits, verify_balances
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


@pytest.fixture
def fridge(db, make, stock):
    """A site whose fridge has been recorded for 10 days and holds 3 kits since 5 days ago."""
    site = make.site()
    location = site_location(db.session, site)
    location.created_at = utcnow() - timedelta(days=10)
    kits = stock.make_kits(site.trial, 3, prefix=f"SE{site.id}-",
                           product=stock.make_product(
                               storage_min_c=Decimal("2.0"), storage_max_c=Decimal("8.0"),
                               budget_hours=Decimal("1.0"), budget_low_c=Decimal("0.0"),
                               budget_high_c=Decimal("25.0"), absolute_min_c=Decimal("0.0")))
    arrived = utcnow() - timedelta(days=5)
    move_kits(db.session, kits, "in_transit", "transfer_out", to_location=location,
              occurred_at=arrived - timedelta(hours=2))
    move_kits(db.session, kits, "received", "transfer_in", occurred_at=arrived)
    pharmacist = make.user(roles=("site",), sites=(site,))
    qp = make.user(roles=("qp",))
    return site, location, kits, pharmacist, qp
