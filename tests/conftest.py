"""Fixtures: the app on a migrated test database, a per-test transaction, logins by role."""

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db as _db
from tests import factories
from tests.dbsetup import fresh_database


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
    import config

    config.TestingConfig.SQLALCHEMY_DATABASE_URI = database_url
    application = create_app("testing")
    application.config.update(WTF_CSRF_ENABLED=False, SERVER_NAME="localhost")
    with application.app_context():
        upgrade()
        _db.engine.dispose()

    # Tests keep an app context open, which Flask reuses for each request; a real server
    # starts every request with a fresh g, so forget the user Flask-Login cached there.
    @application.before_request
    def forget_cached_user():
        from flask import g
        from flask_babel import refresh

        g.pop("_login_user", None)
        refresh()

    return application


@pytest.fixture
def db(app):
    """Run the test inside one outer transaction that is rolled back at the end."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own would pick the engine over this connection.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


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
    """Give tests the factories bound to the test session."""
    return factories.Factories(db.session)
