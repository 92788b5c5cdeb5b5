"""Destruction tests read English and start from a site whose kits came back."""

import pytest

from tests.dbsetup import english
from tests.destruction.factories import make_world


@pytest.fixture
def world(app, db):
    with english(app):
        built = make_world(db.session)
        db.session.commit()
    return built
