"""integrity: keyed audit chain marker, GxP raw data append-only, payment batch guard

Entries written before this migration keep their plain SHA-256 (chain_version 1); every
entry after it is an HMAC-SHA256 with AUDIT_HMAC_KEY (chain_version 2, written by the app).
`flask audit verify` accepts version 1 only before the first version 2 entry.

Revision ID: 0010_integrity
Revises: 0100_reimbursement
"""
import sqlalchemy as sa
from alembic import op

from app.core.database import append_only_statements, drop_append_only_statements

revision = '0010_integrity'
down_revision = '0009_signatures'
branch_labels = None
depends_on = None

# GxP raw data the app only ever inserts.
APPEND_ONLY = ("logger_readings", "dispensings", "qa_decisions", "batch_items")

# A payment batch changes only along its declared transitions; what was signed never changes.
_BATCH_REFUSED = """
    NEW.id {ne} OLD.id OR NEW.message_id {ne} OLD.message_id
    OR NEW.execution_date {ne} OLD.execution_date OR NEW.total {ne} OLD.total
    OR NEW.count {ne} OLD.count OR NEW.created_by_id {ne} OLD.created_by_id
    OR NEW.created_at {ne} OLD.created_at
    OR (OLD.released_at IS NOT NULL AND (NEW.released_at {ne} OLD.released_at
        OR NEW.released_by_id {ne} OLD.released_by_id))
    OR (OLD.paid_at IS NOT NULL AND (NEW.paid_at {ne} OLD.paid_at
        OR NEW.paid_by_id {ne} OLD.paid_by_id))
    OR (NEW.status IN ('released', 'paid') AND NEW.released_at IS NULL)
    OR (NEW.status = 'paid' AND NEW.paid_at IS NULL)
    OR NOT (NEW.status = OLD.status OR (OLD.status = 'draft' AND NEW.status = 'released')
        OR (OLD.status = 'released' AND NEW.status = 'paid'))
"""
_BATCH_MESSAGE = "payment_batches change only along their declared transitions"


def _batch_guard(dialect):
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER payment_batches_guard BEFORE UPDATE ON payment_batches WHEN "
            + _BATCH_REFUSED.format(ne="IS NOT")
            + f" BEGIN SELECT RAISE(ABORT, '{_BATCH_MESSAGE}'); END",
            "CREATE TRIGGER payment_batches_no_delete BEFORE DELETE ON payment_batches "
            "BEGIN SELECT RAISE(ABORT, 'payment_batches rows are never deleted'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION payment_batches_guard() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'payment_batches rows are never deleted'; "
        "END IF; IF " + _BATCH_REFUSED.format(ne="IS DISTINCT FROM")
        + f" THEN RAISE EXCEPTION '{_BATCH_MESSAGE}'; END IF; RETURN NEW; END; $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER payment_batches_guard BEFORE UPDATE OR DELETE ON payment_batches "
        "FOR EACH ROW EXECUTE FUNCTION payment_batches_guard()",
        "CREATE TRIGGER payment_batches_no_truncate BEFORE TRUNCATE ON payment_batches "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_batches_guard()",
    ]


def upgrade():
    # A plain ADD COLUMN (no table copy on SQLite, so the append-only triggers stay).
    op.add_column('audit_entries', sa.Column('chain_version', sa.SmallInteger(),
                                             server_default='1', nullable=False))
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_statements(table, dialect):
            op.execute(statement)
    for statement in _batch_guard(dialect):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS payment_batches_guard")
        op.execute("DROP TRIGGER IF EXISTS payment_batches_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS payment_batches_guard ON payment_batches")
        op.execute("DROP TRIGGER IF EXISTS payment_batches_no_truncate ON payment_batches")
        op.execute("DROP FUNCTION IF EXISTS payment_batches_guard()")
    for table in APPEND_ONLY:
        for statement in drop_append_only_statements(table, dialect):
            op.execute(statement)
    with op.batch_alter_table('audit_entries', recreate='never') as batch_op:
        batch_op.drop_column('chain_version')
