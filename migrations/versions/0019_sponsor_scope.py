"""Sponsor scope and cancelled payment batches.

Accounts may be limited to chosen sponsors' trials (user_sponsors). A prepared payment batch
may be cancelled with a reason: the batch keeps its items as history, and a claim is in at
most one batch that is not cancelled (batch_items: unique (claim_id, attempt) instead of
unique claim_id; attempt counts the claim's earlier items, all of cancelled batches). The
payment batch guard lets a batch go from prepared to cancelled, once.

Revision ID: 0019_sponsor_scope
Revises: 0018_cell_therapy
"""

import sqlalchemy as sa
from alembic import op

from app.core.database import append_only_statements, drop_append_only_statements

revision = "0019_sponsor_scope"
down_revision = "0018_cell_therapy"
branch_labels = None
depends_on = None

_BATCH_REFUSED = """
    NEW.id {ne} OLD.id OR NEW.message_id {ne} OLD.message_id
    OR NEW.execution_date {ne} OLD.execution_date OR NEW.total {ne} OLD.total
    OR NEW.count {ne} OLD.count OR NEW.created_by_id {ne} OLD.created_by_id
    OR NEW.created_at {ne} OLD.created_at
    OR (OLD.released_at IS NOT NULL AND (NEW.released_at {ne} OLD.released_at
        OR NEW.released_by_id {ne} OLD.released_by_id))
    OR (OLD.paid_at IS NOT NULL AND (NEW.paid_at {ne} OLD.paid_at
        OR NEW.paid_by_id {ne} OLD.paid_by_id))
    OR (OLD.cancelled_at IS NOT NULL AND (NEW.cancelled_at {ne} OLD.cancelled_at
        OR NEW.cancelled_by_id {ne} OLD.cancelled_by_id
        OR NEW.cancel_reason {ne} OLD.cancel_reason))
    OR (NEW.status IN ('released', 'paid') AND NEW.released_at IS NULL)
    OR (NEW.status = 'paid' AND NEW.paid_at IS NULL)
    OR (NEW.status = 'cancelled' AND (NEW.cancelled_at IS NULL OR NEW.cancel_reason IS NULL))
    OR NOT (NEW.status = OLD.status OR (OLD.status = 'draft' AND NEW.status = 'released')
        OR (OLD.status = 'released' AND NEW.status = 'paid')
        OR (OLD.status = 'draft' AND NEW.status = 'cancelled'))
"""
# The guard as 0010_integrity wrote it (for the downgrade).
_BEFORE_CANCELLING = "\n".join(
    line for line in _BATCH_REFUSED.replace(
        "\n        OR (OLD.status = 'draft' AND NEW.status = 'cancelled'))", ")").splitlines()
    if "cancel" not in line)
_BATCH_MESSAGE = "payment_batches change only along their declared transitions"


OLD_BATCH_STATUSES = "status IN ('draft', 'released', 'paid')"
NEW_BATCH_STATUSES = "status IN ('draft', 'released', 'paid', 'cancelled')"


def _batch_statuses(old, new):
    """Replace the payment batches' status CHECK (as 0014_labelling does for lots)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_payment_batches_known_status"), "payment_batches",
                           type_="check")
        op.create_check_constraint(op.f("ck_payment_batches_known_status"), "payment_batches",
                                   new)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
                         "WHERE type = 'table' AND name = 'payment_batches'", (old, new))
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def _drop_batch_guard(dialect):
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS payment_batches_guard",
                "DROP TRIGGER IF EXISTS payment_batches_no_delete"]
    return ["DROP TRIGGER IF EXISTS payment_batches_guard ON payment_batches",
            "DROP TRIGGER IF EXISTS payment_batches_no_truncate ON payment_batches",
            "DROP FUNCTION IF EXISTS payment_batches_guard()"]


def _batch_guard(dialect, refused):
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER payment_batches_guard BEFORE UPDATE ON payment_batches WHEN "
            + refused.format(ne="IS NOT")
            + f" BEGIN SELECT RAISE(ABORT, '{_BATCH_MESSAGE}'); END",
            "CREATE TRIGGER payment_batches_no_delete BEFORE DELETE ON payment_batches "
            "BEGIN SELECT RAISE(ABORT, 'payment_batches rows are never deleted'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION payment_batches_guard() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'payment_batches rows are never deleted'; "
        "END IF; IF " + refused.format(ne="IS DISTINCT FROM")
        + f" THEN RAISE EXCEPTION '{_BATCH_MESSAGE}'; END IF; RETURN NEW; END; $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER payment_batches_guard BEFORE UPDATE OR DELETE ON payment_batches "
        "FOR EACH ROW EXECUTE FUNCTION payment_batches_guard()",
        "CREATE TRIGGER payment_batches_no_truncate BEFORE TRUNCATE ON payment_batches "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_batches_guard()",
    ]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "user_sponsors",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sponsor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_sponsors_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "sponsor", name=op.f("pk_user_sponsors")),
    )
    _run(_drop_batch_guard(dialect))
    _batch_statuses(OLD_BATCH_STATUSES, NEW_BATCH_STATUSES)
    if dialect == "sqlite":
        # A plain ADD COLUMN: payment_batches is pointed at by batch_items, so it is not
        # rebuilt (see 0014_labelling); the column's REFERENCES clause is allowed there.
        op.execute("ALTER TABLE payment_batches ADD COLUMN cancelled_by_id INTEGER "
                   "CONSTRAINT fk_payment_batches_cancelled_by_id_users REFERENCES users (id)")
    else:
        op.add_column("payment_batches", sa.Column("cancelled_by_id", sa.Integer(),
                                                   nullable=True))
        op.create_foreign_key(op.f("fk_payment_batches_cancelled_by_id_users"),
                              "payment_batches", "users", ["cancelled_by_id"], ["id"])
    op.add_column("payment_batches", sa.Column("cancelled_at", sa.DateTime(timezone=True),
                                               nullable=True))
    op.add_column("payment_batches", sa.Column("cancel_reason", sa.Text(), nullable=True))
    _run(_batch_guard(dialect, _BATCH_REFUSED))
    _run(drop_append_only_statements("batch_items", dialect))
    with op.batch_alter_table("batch_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_batch_items_claim_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_batch_items_claim_id_attempt"),
                                          ["claim_id", "attempt"])
        batch_op.create_index(batch_op.f("ix_batch_items_claim_id"), ["claim_id"],
                              unique=False)
    _run(append_only_statements("batch_items", dialect))


def downgrade():
    dialect = op.get_bind().dialect.name
    _run(drop_append_only_statements("batch_items", dialect))
    with op.batch_alter_table("batch_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_items_claim_id"))
        batch_op.drop_constraint(batch_op.f("uq_batch_items_claim_id_attempt"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_batch_items_claim_id"), ["claim_id"])
        batch_op.drop_column("attempt")
    _run(append_only_statements("batch_items", dialect))
    _run(_drop_batch_guard(dialect))
    if dialect != "sqlite":
        op.drop_constraint(op.f("fk_payment_batches_cancelled_by_id_users"), "payment_batches",
                           type_="foreignkey")
    for column in ("cancel_reason", "cancelled_at", "cancelled_by_id"):
        op.drop_column("payment_batches", column)
    _batch_statuses(NEW_BATCH_STATUSES, OLD_BATCH_STATUSES)
    _run(_batch_guard(dialect, _BEFORE_CANCELLING))
    op.drop_table("user_sponsors")
