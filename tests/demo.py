"""Fixtures on the whole demo, loaded once per module; each test runs in a savepoint rolled back
after it. Import them in a conftest.py (tests/alerts, tests/core)."""

import pytest
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from app.audit.services import set_actor
from app.core.domains import run_demo
from app.extensions import db as _db


@pytest.fixture(scope="module")
def demo_connection(app, tmp_path_factory):
    """Seed the whole demo (as `flask seed demo` does) inside one outer transaction."""
    upload_folder = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        session = scoped_session(sessionmaker(bind=connection,
                                              join_transaction_mode="create_savepoint"),
                                 scopefunc=_app_ctx_id)
        _db.session = session
        try:
            set_actor(session, None, "demo seed")
            run_demo(session, [])
            session.commit()
            session.info.pop("audit_actor", None)
            session.remove()
            yield connection
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()
            app.config["UPLOAD_FOLDER"] = upload_folder


@pytest.fixture
def demo(app, demo_connection):
    """The demo database for one test: what the test writes is rolled back after it."""
    with app.app_context():
        savepoint = demo_connection.begin_nested()
        original = _db.session
        _db.session = scoped_session(sessionmaker(bind=demo_connection,
                                                  join_transaction_mode="create_savepoint"),
                                     scopefunc=_app_ctx_id)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            if savepoint.is_active:
                savepoint.rollback()
