"""Device tests read English and get the device factories."""

import pytest

from tests import factories
from tests.devices import factories as device_factories


@pytest.fixture(autouse=True)
def _english(request):
    if "db" in request.fixturenames:
        request.getfixturevalue("english")


@pytest.fixture
def dev(db):
    """The device factories bound to the test session (dev.device(), dev.calibrated(...))."""
    return factories.Factories(db.session, device_factories)
