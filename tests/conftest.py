"""Fixtures: the app on a migrated test database, a per-test transaction, logins by role,
the factories, the language of service messages, and the race tests' own database."""

import pytest

from app.extensions import db as _db
from tests import factories
from tests.dbsetup import english as english_context
from tests.dbsetup import fresh_database, make_test_app, rolled_back_session


def pytest_configure(config):
    """Hold the business day still for the whole run.

    Tests compute dates when their module is imported (parametrize values, module constants) and
    the application asks `clock.today()` later; a run that crosses midnight in Madrid would see
    two different days. The run uses the day it started on.
    """
    from app.core import clock

    day = clock.today()
    config._real_today = clock.today
    clock.today = lambda: day


def pytest_unconfigure(config):
    from app.core import clock

    if hasattr(config, "_real_today"):
        clock.today = config._real_today


def pytest_addoption(parser):
    parser.addoption("--benchmarks", action="store_true", help="run the benchmarks")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--benchmarks"):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `make bench`")
    for item in items:
        if "benchmark" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url():
    return fresh_database("test")


@pytest.fixture(scope="session")
def app(database_url):
    return make_test_app(database_url, migrate=True)


@pytest.fixture
def db(app):
    """Run the test inside one outer transaction that is rolled back at the end."""
    with rolled_back_session(app) as db:
        yield db


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login(client):
    """Log a user in on the test client (as Flask-Login would after a real log-in)."""

    def do(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return do


@pytest.fixture
def login_as(db, login):
    """Create a user with the given roles (and sites) and log them in."""

    def do(*roles, sites=(), **kwargs):
        user = factories.make_user(db.session, roles=roles, sites=sites, **kwargs)
        db.session.commit()
        return login(user)

    return do


@pytest.fixture
def make(db):
    """Give tests the factories bound to the test session (make.trial(), make.site(trial))."""
    return factories.Factories(db.session)


@pytest.fixture
def english(app, db):
    """Run the test in English: service messages, notices and pages fetched meanwhile."""
    with english_context(app):
        yield


@pytest.fixture(scope="module")
def race_app(request):
    """An app on its own migrated database (triggers included) whose sessions really commit.

    Race tests start threads that commit against it; each test module gets a fresh database,
    on SQLite or on PostgreSQL like the rest of the run.
    """
    package = request.module.__name__.split(".")[-2]
    application = make_test_app(fresh_database(f"race_{package}"), migrate=True)
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def race_engine(race_app):
    """The race app's engine, for tests that open their own sessions on it."""
    with race_app.app_context():
        return _db.engine
