"""Migrations build the schema from nothing, and autogenerate finds nothing left to do."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app.core.database import configure_engine_events
from app.extensions import db
from tests.dbsetup import fresh_database


def test_upgrade_from_empty_matches_the_models(app):
    engine = create_engine(fresh_database("migrations"))
    configure_engine_events(engine)
    with app.app_context():
        engines = app.extensions["sqlalchemy"]._app_engines[app]
        original = engines[None]
        engines[None] = engine  # the migration environment uses db.engine
        try:
            upgrade()
            with engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert diff == []
            assert "audit_entries" in inspect(engine).get_table_names()
            downgrade(revision="base")
            assert "audit_entries" not in inspect(engine).get_table_names()
            upgrade()
        finally:
            engines[None] = original
            engine.dispose()
