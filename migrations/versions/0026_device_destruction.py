"""device destruction: devices may be pending destruction and destroyed; batch items name a device

Revision ID: 0026_device_destruction
Revises: 0025_storage_excursions
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_device_destruction'
down_revision = "0025_storage_excursions"
branch_labels = None
depends_on = None

OLD_STATES = ("'in_stock', 'allocated', 'in_transit', 'at_site', 'in_use', 'returned', "
              "'in_calibration', 'quarantined', 'out_of_service', 'retired'")
NEW_STATES = OLD_STATES + ", 'pending_destruction', 'destroyed'"
DEVICE_HAS_DEVICE = "(kind = 'device') = (device_id IS NOT NULL)"


def _device_states(old, new):
    """Replace the devices' status CHECK.

    PostgreSQL alters the constraint. SQLite cannot rebuild a table other tables point at inside
    the migration's transaction, so it edits the CHECK in the stored schema as 0022 does for
    shipments (the stored rows stay valid); the schema version is bumped.
    """
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_devices_known_status'), 'devices', type_='check')
        op.create_check_constraint(op.f('ck_devices_known_status'), 'devices',
                                   f"status IN ({new})")
        return
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema=ON')
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
                         "WHERE type = 'table' AND name = 'devices'",
                         (f"status IN ({old})", f"status IN ({new})"))
    bind.exec_driver_sql(f'PRAGMA schema_version={version + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema=OFF')


def upgrade():
    with op.batch_alter_table('destruction_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.alter_column('reference', existing_type=sa.String(length=40),
                              type_=sa.String(length=60), existing_nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_destruction_items_device_id_devices'),
                                    'devices', ['device_id'], ['id'])
        batch_op.create_index('uq_destruction_items_device', ['device_id'], unique=True)
        batch_op.drop_constraint(batch_op.f('ck_destruction_items_known_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_destruction_items_known_kind'),
                                         "kind IN ('kit', 'device')")
        batch_op.create_check_constraint(batch_op.f('ck_destruction_items_device_has_device'),
                                         DEVICE_HAS_DEVICE)
    _device_states(OLD_STATES, NEW_STATES)


def downgrade():
    _device_states(NEW_STATES, OLD_STATES)
    with op.batch_alter_table('destruction_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_destruction_items_device_has_device'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('ck_destruction_items_known_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_destruction_items_known_kind'),
                                         "kind IN ('kit')")
        batch_op.drop_index('uq_destruction_items_device')
        batch_op.drop_constraint(batch_op.f('fk_destruction_items_device_id_devices'),
                                 type_='foreignkey')
        batch_op.alter_column('reference', existing_type=sa.String(length=60),
                              type_=sa.String(length=40), existing_nullable=False)
        batch_op.drop_column('device_id')
