"""Fixtures of the reimbursement tests: a world with a subject, its patient and the staff."""

import pytest

from tests.reimbursement.factories import World


@pytest.fixture
def world(db):
    """A trial, site, subject with its patient, a site user and two finance users (flushed)."""
    return World(db.session)


@pytest.fixture
def inline_jobs():
    """Run background jobs (the SEPA file) inline during the test, as tests/jobs does."""
    from app.jobs.queue import huey

    huey.immediate = True
    yield
    huey.immediate = False
