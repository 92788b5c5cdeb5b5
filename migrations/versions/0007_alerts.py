"""alerts: the record of every scheduled alert told (once per item and recipient)

Revision ID: 0007_alerts
Revises: 0100_reimbursement

"""
import sqlalchemy as sa
from alembic import op

revision = '0007_alerts'
down_revision = '0006_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert', sa.String(length=60), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sent_alerts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_alerts')),
    sa.UniqueConstraint('alert', 'item_key', 'user_id', name='uq_sent_alerts_once')
    )
    with op.batch_alter_table('sent_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_alerts_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sent_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_alerts_user_id'))
    op.drop_table('sent_alerts')
