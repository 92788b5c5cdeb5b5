"""outbox attachments: an outbox e-mail carries stored files (references, not bytes)

Revision ID: 0023_outbox_attachments
Revises: 0022_device_shipments
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_outbox_attachments"
down_revision = "0022_device_shipments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_files.id"],
                                name=op.f("fk_outbox_attachments_file_id_stored_files")),
        sa.ForeignKeyConstraint(["message_id"], ["outbox_messages.id"],
                                name=op.f("fk_outbox_attachments_message_id_outbox_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
    )
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_attachments_file_id"), ["file_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_attachments_message_id"), ["message_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_attachments_message_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_attachments_file_id"))
    op.drop_table("outbox_attachments")
