"""The demo loaded once for the label tests: one outer transaction, rolled back at the end."""

import pytest

from app.audit.services import set_actor
from app.core.domains import run_demo
from tests.dbsetup import rolled_back_session


@pytest.fixture(scope="module")
def demo_db(app, tmp_path_factory):
    """Seed the whole demo (as `flask seed demo` does) for every test of a module."""
    upload_folder = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))
    try:
        with rolled_back_session(app) as db:
            set_actor(db.session, None, "demo seed")
            run_demo(db.session, [])
            db.session.commit()
            db.session.info.pop("audit_actor", None)
            yield db
    finally:
        app.config["UPLOAD_FOLDER"] = upload_folder
