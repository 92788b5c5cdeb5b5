"""Test databases (created and dropped on SQLite or PostgreSQL) and the test app bound to one.

``make_test_app(url, migrate=True)`` is the one way a test builds an app: the test suite's app,
the race tests' app and the benchmarks' app all come from it.
"""

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def base_url():
    """Return the database URL the run targets (SQLite unless DATABASE_URL says otherwise)."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'app.db'}"


def is_postgres():
    """Return True when the run targets PostgreSQL."""
    return make_url(base_url()).get_backend_name() == "postgresql"


def fresh_database(suffix):
    """Create an empty database named after the target plus suffix; return its URL."""
    url = make_url(base_url())
    if url.get_backend_name() == "sqlite":
        path = ROOT / "instance" / f"test_{suffix}.db"
        path.parent.mkdir(exist_ok=True)
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def kept_database(suffix):
    """Return the URL of a database named after the target plus suffix, created once and kept."""
    url = make_url(base_url())
    if url.get_backend_name() == "sqlite":
        (ROOT / "instance").mkdir(exist_ok=True)
        return f"sqlite:///{ROOT / 'instance' / f'{suffix}.db'}"
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def make_test_app(database_url, *, migrate=False):
    """Return the testing app bound to database_url, migrated to head when asked."""
    import config
    from app import create_app
    from app.extensions import db

    saved = config.TestingConfig.SQLALCHEMY_DATABASE_URI
    config.TestingConfig.SQLALCHEMY_DATABASE_URI = database_url
    try:
        app = create_app("testing")
    finally:
        config.TestingConfig.SQLALCHEMY_DATABASE_URI = saved
    app.config.update(WTF_CSRF_ENABLED=False, SERVER_NAME="localhost")
    app.before_request(_forget_cached_user)
    if migrate:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()  # the migrations, not create_all: the database triggers are there too
            db.engine.dispose()
    return app


def _forget_cached_user():
    """Start each request with no cached user and locale, as a real server's fresh g would.

    Tests keep an app context open, which Flask reuses for each request.
    """
    from flask import g
    from flask_babel import refresh

    g.pop("_login_user", None)
    refresh()


@contextmanager
def english(app):
    """Run the block in an English request context (service messages, links in notices)."""
    from flask_babel import force_locale

    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale("en"):
        yield


@contextmanager
def rolled_back_session(app):
    """Give the app's db a session inside one outer transaction, rolled back at the end."""
    from flask_sqlalchemy.session import _app_ctx_id
    from sqlalchemy.orm import scoped_session, sessionmaker

    from app.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own would pick the engine over this connection.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
