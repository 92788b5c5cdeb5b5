"""Sponsor scope: accounts limited to chosen sponsors' trials.

Revision ID: 0019_sponsor_scope
Revises: 0018_cell_therapy
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_sponsor_scope"
down_revision = "0018_cell_therapy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sponsors",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sponsor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_sponsors_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "sponsor", name=op.f("pk_user_sponsors")),
    )


def downgrade():
    op.drop_table("user_sponsors")
