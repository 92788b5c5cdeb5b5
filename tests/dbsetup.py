"""Test databases: derive, create and drop them on SQLite or PostgreSQL."""

import os
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
