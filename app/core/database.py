"""Engine settings per dialect: SQLite needs foreign keys, WAL and real transactions."""

from sqlalchemy import event


def configure_engine_events(engine):
    """Turn on SQLite foreign keys, WAL and explicit BEGIN (savepoints then work)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def append_only_statements(table, dialect):
    """Return the SQL that makes the database refuse UPDATE and DELETE on a table."""
    message = f"{table} rows are append-only"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    return [
        f"CREATE OR REPLACE FUNCTION {table}_refuse_change() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_change()",
    ]


def drop_append_only_statements(table, dialect):
    """Return the SQL that removes the append-only guard of a table."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update",
                f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse_change()"]


# Tables the application only ever appends to: on PostgreSQL its runtime role gets INSERT and
# SELECT there and nothing else (the triggers above guard them from the owner too).
INSERT_ONLY_TABLES = ("audit_entries", "signatures", "stock_entries", "claim_steps",
                      "logger_readings", "dispensings", "qa_decisions", "batch_items",
                      "storage_qa_decisions", "storage_readings", "kit_exposures")


def runtime_grant_statements(role):
    """Return the SQL (run by the owner after each migration) giving the runtime role its
    rights: read and write most tables, only INSERT and SELECT on the append-only ones,
    read-only on the migration version; it owns nothing, so it cannot disable a trigger."""
    tables = ", ".join(INSERT_ONLY_TABLES)
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"',
    ]
