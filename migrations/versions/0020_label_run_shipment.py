"""label runs for a shipment: label_runs.shipment_id and the scope "shipment"

Revision ID: 0020_label_run_shipment
Revises: 0019_sponsor_scope
Create Date: 2026-11-28 00:14:25.929179

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_label_run_shipment'
down_revision = "0019_sponsor_scope"
branch_labels = None
depends_on = None

OLD_SCOPES = "scope IN ('lot', 'range', 'campaign')"
NEW_SCOPES = "scope IN ('lot', 'range', 'shipment', 'campaign')"
FK = 'fk_label_runs_shipment_id_shipments'
COLUMN = f'shipment_id INTEGER CONSTRAINT {FK} REFERENCES shipments (id)'


def _edit_sqlite_schema(old, new):
    """Replace text in label_runs' stored SQLite schema (rows stay valid) and bump its version
    so every connection re-reads it."""
    bind = op.get_bind()
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema=ON')
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
                         "WHERE type = 'table' AND name = 'label_runs'", (old, new))
    bind.exec_driver_sql(f'PRAGMA schema_version={version + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema=OFF')


def _scopes(old, new):
    """Replace the runs' scope CHECK.

    PostgreSQL alters the constraint. SQLite cannot rebuild label_runs inside the migration's
    transaction (label_prints points at it), so it edits the CHECK in the stored schema, as
    0014_labelling does for the lots; the rows stay valid either way.
    """
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_label_runs_known_scope'), 'label_runs', type_='check')
        op.create_check_constraint(op.f('ck_label_runs_known_scope'), 'label_runs', new)
        return
    _edit_sqlite_schema(old, new)


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # ADD COLUMN with its foreign key written inline: no table rebuild.
        op.execute(f'ALTER TABLE label_runs ADD COLUMN {COLUMN}')
    else:
        op.add_column('label_runs', sa.Column('shipment_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(FK), 'label_runs', 'shipments', ['shipment_id'], ['id'])
    _scopes(OLD_SCOPES, NEW_SCOPES)


def downgrade():
    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT count(*) FROM label_runs WHERE scope = 'shipment'").scalar():
        raise RuntimeError("Label runs for shipments exist; they are GxP records and are not "
                           "deleted by a downgrade.")
    _scopes(NEW_SCOPES, OLD_SCOPES)
    if bind.dialect.name == 'sqlite':
        # SQLite drops no column that a foreign key names: take the reference off first.
        _edit_sqlite_schema(COLUMN, 'shipment_id INTEGER')
        op.execute('ALTER TABLE label_runs DROP COLUMN shipment_id')
    else:
        op.drop_constraint(op.f(FK), 'label_runs', type_='foreignkey')
        op.drop_column('label_runs', 'shipment_id')
