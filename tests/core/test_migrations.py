"""Migrations build the schema from nothing, and autogenerate finds nothing left to do."""

from pathlib import Path

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


def test_the_migration_chain_is_linear_and_the_files_sort_in_chain_order():
    """One base, one head, no branch or merge; `ls migrations/versions` reads the chain in order.

    File names may differ from revision ids (0004_shipments.py holds revision 0200_shipments):
    databases already carry the ids, so only the files were renamed.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tests.dbsetup import ROOT

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_bases()) == 1, script.get_bases()
    assert len(script.get_heads()) == 1, script.get_heads()
    chain = list(reversed(list(script.walk_revisions())))  # base first
    for revision in chain:
        assert not isinstance(revision.down_revision, (tuple, list)), revision.revision
        assert len(revision.nextrev) <= 1, (revision.revision, revision.nextrev)
    for parent, child in zip(chain, chain[1:], strict=False):
        assert child.down_revision == parent.revision
    files = sorted(path.name for path in (ROOT / "migrations" / "versions").glob("*.py"))
    assert [Path(revision.path).name for revision in chain] == files
