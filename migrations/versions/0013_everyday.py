"""Everyday use: the bank's value date and reference on a paid batch.

Revision ID: 0013_everyday
Revises: 0011_supply
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_everyday"
down_revision = "0011_supply"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("bank_reference", sa.String(length=35), nullable=True))


def downgrade():
    with op.batch_alter_table("payment_batches", schema=None) as batch_op:
        batch_op.drop_column("bank_reference")
        batch_op.drop_column("value_date")
