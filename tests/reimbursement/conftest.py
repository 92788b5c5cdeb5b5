"""Service tests read English messages, as a user with language "en" would."""

import pytest
from flask_babel import force_locale


@pytest.fixture
def english(app, db):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def world(db):
    from tests.reimbursement.factories import World

    return World(db.session)
