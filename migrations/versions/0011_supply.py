"""supply: kit types and the visit schedule, per-type levels, replacements, stability
budgets and kit exposure, logger files accepted by QA, QA departures from the proposal

Revision ID: 0011_supply
Revises: 0010_integrity
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_supply'
down_revision = "0010_integrity"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kit_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_kit_types_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_types')),
    sa.UniqueConstraint('trial_id', 'code', name=op.f('uq_kit_types_trial_id_code'))
    )
    with op.batch_alter_table('kit_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_types_trial_id'), ['trial_id'], unique=False)

    op.create_table('kit_type_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kit_type_id', sa.Integer(), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('maximum', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minimum >= 0 AND maximum > minimum', name=op.f('ck_kit_type_levels_min_below_max')),
    sa.ForeignKeyConstraint(['kit_type_id'], ['kit_types.id'], name=op.f('fk_kit_type_levels_kit_type_id_kit_types')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_kit_type_levels_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_type_levels')),
    sa.UniqueConstraint('site_id', 'kit_type_id', name=op.f('uq_kit_type_levels_site_id_kit_type_id'))
    )
    with op.batch_alter_table('kit_type_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_type_levels_kit_type_id'), ['kit_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kit_type_levels_site_id'), ['site_id'], unique=False)

    op.create_table('kit_type_products',
    sa.Column('kit_type_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kit_type_id'], ['kit_types.id'], name=op.f('fk_kit_type_products_kit_type_id_kit_types')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_kit_type_products_product_id_products')),
    sa.PrimaryKeyConstraint('kit_type_id', 'product_id', name=op.f('pk_kit_type_products'))
    )
    op.create_table('visit_kit_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kit_type_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_visit_kit_types_quantity_positive')),
    sa.ForeignKeyConstraint(['kit_type_id'], ['kit_types.id'], name=op.f('fk_visit_kit_types_kit_type_id_kit_types')),
    sa.ForeignKeyConstraint(['visit_id'], ['trial_visits.id'], name=op.f('fk_visit_kit_types_visit_id_trial_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_kit_types')),
    sa.UniqueConstraint('visit_id', 'kit_type_id', name=op.f('uq_visit_kit_types_visit_id_kit_type_id'))
    )
    with op.batch_alter_table('visit_kit_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_kit_types_kit_type_id'), ['kit_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_kit_types_visit_id'), ['visit_id'], unique=False)

    # Plain ADD COLUMN (no table rebuild): the append-only triggers on dispensings and
    # qa_decisions and the partial indexes of shipments stay as they are.
    def add_reference(table, column, target):
        """Add a nullable foreign key column (SQLite: inline REFERENCES, no rebuild)."""
        name = f"fk_{table}_{column}_{target}"
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
                       f"CONSTRAINT {name} REFERENCES {target}(id)")
            return
        op.add_column(table, sa.Column(column, sa.Integer(), sa.ForeignKey(
            f"{target}.id", name=name)))

    add_reference('dispensings', 'replaces_id', 'dispensings')
    op.add_column('dispensings', sa.Column('replacement_reason', sa.String(length=20)))
    op.add_column('dispensings', sa.Column('explanation', sa.String(length=500)))
    op.add_column('dispensings', sa.Column('off_window_reason', sa.String(length=500)))
    op.add_column('kits', sa.Column('minutes_out', sa.Float(), server_default='0',
                                    nullable=False))
    op.add_column('kits', sa.Column('lowest_c', sa.Float()))
    op.add_column('kits', sa.Column('highest_c', sa.Float()))
    op.add_column('logger_uploads', sa.Column('accepted_reason', sa.Text()))
    add_reference('logger_uploads', 'accepted_by_id', 'users')
    for column in ('budget_hours', 'budget_low_c', 'budget_high_c', 'absolute_min_c'):
        precision = 7 if column == 'budget_hours' else 5
        op.add_column('products', sa.Column(column, sa.Numeric(precision=precision, scale=1)))
    op.add_column('qa_decisions', sa.Column('departure_reason', sa.Text()))
    add_reference('shipments', 'kit_type_id', 'kit_types')


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in (
            ('shipments', ('kit_type_id',)), ('qa_decisions', ('departure_reason',)),
            ('products', ('absolute_min_c', 'budget_high_c', 'budget_low_c', 'budget_hours')),
            ('logger_uploads', ('accepted_by_id', 'accepted_reason')),
            ('kits', ('highest_c', 'lowest_c', 'minutes_out')),
            ('dispensings', ('off_window_reason', 'explanation', 'replacement_reason',
                             'replaces_id'))):
        for column in columns:
            if sqlite:  # SQLite's own DROP COLUMN: no rebuild, the triggers stay
                op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            else:
                op.drop_column(table, column)
    for index, table in (('ix_visit_kit_types_visit_id', 'visit_kit_types'),
                         ('ix_visit_kit_types_kit_type_id', 'visit_kit_types'),
                         ('ix_kit_type_levels_site_id', 'kit_type_levels'),
                         ('ix_kit_type_levels_kit_type_id', 'kit_type_levels'),
                         ('ix_kit_types_trial_id', 'kit_types')):
        op.drop_index(index, table_name=table)
    for table in ('visit_kit_types', 'kit_type_products', 'kit_type_levels', 'kit_types'):
        op.drop_table(table)
