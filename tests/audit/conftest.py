"""The demo loaded once for the label tests: one outer transaction, rolled back at the end."""

import pytest
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from app.audit.services import set_actor
from app.core.domains import run_demo
from app.extensions import db as _db


@pytest.fixture(scope="module")
def demo_db(app, tmp_path_factory):
    """Seed the whole demo (as `flask seed demo` does) for every test of a module."""
    upload_folder = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            set_actor(_db.session, None, "demo seed")
            run_demo(_db.session, [])
            _db.session.commit()
            _db.session.info.pop("audit_actor", None)
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()
            app.config["UPLOAD_FOLDER"] = upload_folder
