"""signatures: the signer's role and one signature per meaning per record and role

Revision ID: 0009_signatures
Revises: 0100_reimbursement

"""
import sqlalchemy as sa
from alembic import op

from app.core.database import append_only_statements, drop_append_only_statements

revision = '0009_signatures'
down_revision = '0007_alerts'
branch_labels = None
depends_on = None


def upgrade():
    # Adding a column with a default is not an UPDATE: the append-only trigger stays quiet,
    # and signatures made before keep role '' (outside the unique index).
    op.add_column('signatures', sa.Column('role', sa.String(length=20), server_default='',
                                          nullable=False))
    op.create_index('uq_signatures_meaning_role', 'signatures',
                    ['entity_type', 'entity_id', 'meaning', 'role'], unique=True,
                    sqlite_where=sa.text("role <> ''"), postgresql_where=sa.text("role <> ''"))


def downgrade():
    op.drop_index('uq_signatures_meaning_role', table_name='signatures',
                  sqlite_where=sa.text("role <> ''"), postgresql_where=sa.text("role <> ''"))
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_statements('signatures', dialect):
        op.execute(statement)
    with op.batch_alter_table('signatures', schema=None) as batch_op:  # SQLite copies it
        batch_op.drop_column('role')
    for statement in append_only_statements('signatures', dialect):
        op.execute(statement)
