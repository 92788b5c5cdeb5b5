"""Fixtures of the shipment tests: a trial with a depot full of kits and one user per role."""

import pytest

from tests.dbsetup import english
from tests.shipments.factories import make_world


@pytest.fixture
def world(app, db):
    with english(app):  # built as an English-speaking user would (notices, messages)
        built = make_world(db.session)
        db.session.commit()
    return built
