"""masking and placebo batch records: records, materials, steps, checks, deviations

Revision ID: 0021_batch_records
Revises: 0020_label_run_shipment
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_batch_records'
down_revision = "0020_label_run_shipment"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('batch_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('sponsor_order', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('matched_lot_id', sa.Integer(), nullable=True),
    sa.Column('output_lot_id', sa.Integer(), nullable=False),
    sa.Column('quantity_unit', sa.String(length=20), nullable=False),
    sa.Column('expected_quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('actual_quantity', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('yield_min_pct', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('yield_max_pct', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('placebo', 'over_encapsulation', 'blinded_packaging')", name=op.f('ck_batch_records_known_kind')),
    sa.CheckConstraint("status IN ('draft', 'in_production', 'awaiting_qa', 'released', 'rejected')", name=op.f('ck_batch_records_known_status')),
    sa.CheckConstraint('expected_quantity > 0', name=op.f('ck_batch_records_expected_positive')),
    sa.CheckConstraint('yield_min_pct <= yield_max_pct', name=op.f('ck_batch_records_yield_limits_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_batch_records_created_by_id_users')),
    sa.ForeignKeyConstraint(['matched_lot_id'], ['lots.id'], name=op.f('fk_batch_records_matched_lot_id_lots')),
    sa.ForeignKeyConstraint(['output_lot_id'], ['lots.id'], name=op.f('fk_batch_records_output_lot_id_lots')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_batch_records_released_by_id_users')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_batch_records_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_records')),
    sa.UniqueConstraint('number', name=op.f('uq_batch_records_number')),
    sa.UniqueConstraint('output_lot_id', name=op.f('uq_batch_records_output_lot_id'))
    )
    with op.batch_alter_table('batch_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_records_trial_id'), ['trial_id'], unique=False)

    op.create_table('batch_deviations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=True),
    sa.Column('capa', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_batch_deviations_known_status')),
    sa.CheckConstraint("topic IN ('yield', 'material', 'check', 'other')", name=op.f('ck_batch_deviations_known_topic')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_batch_deviations_closed_by_id_users')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_batch_deviations_raised_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['batch_records.id'], name=op.f('fk_batch_deviations_record_id_batch_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_deviations')),
    sa.UniqueConstraint('record_id', 'number', name=op.f('uq_batch_deviations_record_id_number'))
    )
    with op.batch_alter_table('batch_deviations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_deviations_record_id'), ['record_id'], unique=False)

    op.create_table('batch_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('operator_note', sa.Text(), nullable=True),
    sa.Column('checker_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('checker_id IS NULL OR checker_id <> operator_id', name=op.f('ck_batch_steps_checker_not_operator')),
    sa.ForeignKeyConstraint(['checker_id'], ['users.id'], name=op.f('fk_batch_steps_checker_id_users')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_batch_steps_operator_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['batch_records.id'], name=op.f('fk_batch_steps_record_id_batch_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_steps')),
    sa.UniqueConstraint('record_id', 'position', name=op.f('uq_batch_steps_record_id_position'))
    )
    with op.batch_alter_table('batch_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_steps_record_id'), ['record_id'], unique=False)

    op.create_table('batch_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('lower', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('upper', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('result', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('appearance_match', sa.Boolean(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('within_limits', sa.Boolean(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deviation_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('appearance', 'weight', 'count')", name=op.f('ck_batch_checks_known_kind')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_batch_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['deviation_id'], ['batch_deviations.id'], name=op.f('fk_batch_checks_deviation_id_batch_deviations')),
    sa.ForeignKeyConstraint(['record_id'], ['batch_records.id'], name=op.f('fk_batch_checks_record_id_batch_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_checks'))
    )
    with op.batch_alter_table('batch_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_checks_record_id'), ['record_id'], unique=False)

    op.create_table('batch_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('material', sa.String(length=200), nullable=False),
    sa.Column('supplier_lot', sa.String(length=80), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('issued', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('used', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('returned', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('wasted', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('deviation_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('issued > 0', name=op.f('ck_batch_materials_issued_positive')),
    sa.ForeignKeyConstraint(['deviation_id'], ['batch_deviations.id'], name=op.f('fk_batch_materials_deviation_id_batch_deviations')),
    sa.ForeignKeyConstraint(['record_id'], ['batch_records.id'], name=op.f('fk_batch_materials_record_id_batch_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_materials'))
    )
    with op.batch_alter_table('batch_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_materials_record_id'), ['record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('batch_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_materials_record_id'))

    op.drop_table('batch_materials')
    with op.batch_alter_table('batch_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_checks_record_id'))

    op.drop_table('batch_checks')
    with op.batch_alter_table('batch_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_steps_record_id'))

    op.drop_table('batch_steps')
    with op.batch_alter_table('batch_deviations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_deviations_record_id'))

    op.drop_table('batch_deviations')
    with op.batch_alter_table('batch_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_records_trial_id'))

    op.drop_table('batch_records')
