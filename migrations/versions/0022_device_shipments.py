"""device shipments: a shipment may carry devices only; discrepancies name a kit or a device

Revision ID: 0022_device_shipments
Revises: 0018_cell_therapy
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_device_shipments'
down_revision = '0018_cell_therapy'
branch_labels = None
depends_on = None

ONE_ITEM = ("NOT (kit_id IS NOT NULL AND device_id IS NOT NULL) AND "
            "(kind = 'other' OR kit_id IS NOT NULL OR device_id IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('shipment_discrepancies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_shipment_discrepancies_device_id'), ['device_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_shipment_discrepancies_device_id_devices'),
                                    'devices', ['device_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_shipment_discrepancies_one_item'), ONE_ITEM)
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipments_requested_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_shipments_requested_not_negative'),
                                         'requested_kits >= 0')


def downgrade():
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipments_requested_not_negative'), type_='check')
        batch_op.create_check_constraint(op.f('ck_shipments_requested_positive'),
                                         'requested_kits > 0')
    with op.batch_alter_table('shipment_discrepancies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipment_discrepancies_one_item'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_shipment_discrepancies_device_id_devices'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_shipment_discrepancies_device_id'))
        batch_op.drop_column('device_id')
