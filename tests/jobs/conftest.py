"""Jobs tests run their tasks inline (huey.immediate) unless a test starts a real consumer."""

import pytest

from app.jobs.queue import huey


@pytest.fixture(autouse=True)
def inline_tasks():
    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture
def threshold(app):
    """Make exports of more than 3 rows run as jobs during the test."""
    saved = app.config["EXPORT_JOB_THRESHOLD_ROWS"]
    app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 3
    yield 3
    app.config["EXPORT_JOB_THRESHOLD_ROWS"] = saved
