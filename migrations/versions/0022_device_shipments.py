"""device shipments: a shipment may carry devices only; discrepancies name a kit or a device

Revision ID: 0022_device_shipments
Revises: 0021_batch_records
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_device_shipments'
down_revision = "0021_batch_records"
branch_labels = None
depends_on = None

OLD_REQUESTED = "CONSTRAINT ck_shipments_requested_positive CHECK (requested_kits > 0)"
NEW_REQUESTED = "CONSTRAINT ck_shipments_requested_not_negative CHECK (requested_kits >= 0)"
ONE_ITEM = ("NOT (kit_id IS NOT NULL AND device_id IS NOT NULL) AND "
            "(kind = 'other' OR kit_id IS NOT NULL OR device_id IS NOT NULL)")


def _requested_check(old, new):
    """Replace the shipments' requested_kits CHECK (0: a shipment of devices only).

    PostgreSQL alters the constraint. SQLite cannot rebuild a table other tables point at
    inside the migration's transaction, so it edits the CHECK in the stored schema as
    0014_labelling does for lots (the stored rows stay valid); the schema version is bumped.
    """
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        old_name, new_name = (text.split()[1] for text in (old, new))
        op.drop_constraint(op.f(old_name), 'shipments', type_='check')
        op.create_check_constraint(op.f(new_name), 'shipments', new.split(' CHECK ', 1)[1][1:-1])
        return
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema=ON')
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
                         "WHERE type = 'table' AND name = 'shipments'", (old, new))
    bind.exec_driver_sql(f'PRAGMA schema_version={version + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema=OFF')


def upgrade():
    with op.batch_alter_table('shipment_discrepancies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_shipment_discrepancies_device_id'), ['device_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_shipment_discrepancies_device_id_devices'),
                                    'devices', ['device_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_shipment_discrepancies_one_item'), ONE_ITEM)
    _requested_check(OLD_REQUESTED, NEW_REQUESTED)


def downgrade():
    _requested_check(NEW_REQUESTED, OLD_REQUESTED)
    with op.batch_alter_table('shipment_discrepancies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipment_discrepancies_one_item'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_shipment_discrepancies_device_id_devices'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_shipment_discrepancies_device_id'))
        batch_op.drop_column('device_id')
