"""PostgreSQL: the app runs as a runtime role that may only insert into and read the audit,
ledger, signature and raw-data tables; the owner role runs the migrations."""

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.core.database import INSERT_ONLY_TABLES
from app.extensions import db as _db
from tests import factories
from tests.dbsetup import fresh_database, is_postgres, make_test_app

pytestmark = pytest.mark.skipif(not is_postgres(), reason="database roles are PostgreSQL's")


@pytest.fixture(scope="module")
def runtime():
    """A migrated database (owner: the test login) and a runtime role granted as README says."""
    owner_url = fresh_database("roles")
    owner_app = make_test_app(owner_url, migrate=True)
    role = f"rt_{uuid.uuid4().hex[:10]}"
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    result = owner_app.test_cli_runner().invoke(args=["audit", "grant-runtime", role])
    assert result.exit_code == 0, result.output
    runtime_url = make_url(owner_url).set(username=role, password=None)
    app = make_test_app(runtime_url.render_as_string(hide_password=False))
    yield app, runtime_url
    with app.app_context():
        _db.engine.dispose()
    with owner_app.app_context():
        _db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def test_the_app_works_as_the_runtime_role(runtime):
    from app.audit.services import verify_chain

    app, _ = runtime
    with app.app_context():
        factories.make_trial(_db.session)
        factories.make_user(_db.session)
        _db.session.commit()
        checked, broken, problem = verify_chain(_db.session)
        assert (broken, problem) == (None, "") and checked >= 2
        _db.session.remove()


@pytest.mark.parametrize("table", INSERT_ONLY_TABLES)
@pytest.mark.parametrize("statement", [
    "UPDATE {table} SET id = id", "DELETE FROM {table}", "TRUNCATE {table}",
    "ALTER TABLE {table} DISABLE TRIGGER USER"])
def test_the_runtime_role_cannot_change_or_unguard_append_only_tables(runtime, table,
                                                                      statement):
    _, url = runtime
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                conn.execute(text(statement.format(table=table)))
            conn.rollback()
            granted = conn.execute(text(
                "SELECT has_table_privilege(current_user, :t, 'INSERT'), "
                "has_table_privilege(current_user, :t, 'SELECT')"), {"t": table}).one()
            assert tuple(granted) == (True, True)
    finally:
        engine.dispose()
