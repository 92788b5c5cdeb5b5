"""Fixtures of the shipment tests: a trial with a depot full of kits and one user per role."""

import pytest

from tests.shipments.factories import make_world


@pytest.fixture
def world(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        built = make_world(db.session)
        db.session.commit()
    return built


@pytest.fixture
def ctx(app, world):
    """An English request context for service calls (translations, links in notices)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
