"""Labelling tests read English and get the labelling factories."""

import pytest

from app.jobs import queue
from tests import factories
from tests.labelling import factories as labelling_factories


@pytest.fixture(autouse=True)
def english_messages(request):
    if "db" in request.fixturenames:
        request.getfixturevalue("english")
    yield


@pytest.fixture
def lab(db):
    """Give tests the labelling factories bound to the test session."""
    return factories.Factories(db.session, labelling_factories)


@pytest.fixture
def inline_jobs():
    """Run background jobs at once, in the test's process."""
    before = queue.huey.immediate
    queue.huey.immediate = True
    yield
    queue.huey.immediate = before
