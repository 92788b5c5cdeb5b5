"""cell therapy: therapy orders, custody records, condition legs, dry shippers; lab role

Revision ID: 0018_cell_therapy
Revises: 0017_returns
"""
import sqlalchemy as sa
from alembic import op

ROLES_BEFORE = ('admin', 'logistics', 'site', 'unblinded', 'qp', 'finance', 'monitor', 'patient')
ROLES_AFTER = (*ROLES_BEFORE, 'manufacturer')


def _known_roles(roles):
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_roles_known_role'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_user_roles_known_role'),
            f"role IN ({', '.join(repr(r) for r in roles)})")


# revision identifiers, used by Alembic.
revision = '0018_cell_therapy'
down_revision = "0017_returns"
branch_labels = None
depends_on = None


def upgrade():
    _known_roles(ROLES_AFTER)
    op.create_table('cell_shippers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('id_kind', sa.String(length=10), nullable=False),
    sa.Column('model_name', sa.String(length=80), nullable=False),
    sa.Column('static_hold_hours', sa.Integer(), nullable=False),
    sa.Column('qualified_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('charged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('charge_record', sa.String(length=200), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requalified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("id_kind IN ('grai', 'serial')", name=op.f('ck_cell_shippers_known_id_kind')),
    sa.CheckConstraint("status IN ('available', 'charged', 'in_use', 'requalification', 'retired')", name=op.f('ck_cell_shippers_known_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_shippers')),
    sa.UniqueConstraint('code', name=op.f('uq_cell_shippers_code'))
    )
    op.create_table('cell_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('coi', sa.String(length=15), nullable=True),
    sa.Column('product_kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('collection_number', sa.Integer(), nullable=False),
    sa.Column('collection_date', sa.Date(), nullable=False),
    sa.Column('manufacturing_slot', sa.Date(), nullable=False),
    sa.Column('bag_ids', sa.String(length=200), nullable=True),
    sa.Column('volume_ml', sa.Numeric(precision=8, scale=1), nullable=True),
    sa.Column('cell_count', sa.String(length=60), nullable=True),
    sa.Column('courier', sa.String(length=80), nullable=True),
    sa.Column('logger_ids', sa.String(length=120), nullable=True),
    sa.Column('coa_file_id', sa.Integer(), nullable=True),
    sa.Column('out_of_spec_reason', sa.Text(), nullable=True),
    sa.Column('physician_consent', sa.String(length=200), nullable=True),
    sa.Column('shipper_id', sa.Integer(), nullable=True),
    sa.Column('planned_transit_hours', sa.Integer(), nullable=True),
    sa.Column('infused_by_id', sa.Integer(), nullable=True),
    sa.Column('step_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('to_lab_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('at_lab_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manufacturing_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('to_site_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('thawed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('infused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("product_kind IN ('car_t', 'til')", name=op.f('ck_cell_orders_known_product_kind')),
    sa.CheckConstraint("status IN ('scheduled', 'collected', 'to_lab', 'at_lab', 'manufacturing', 'out_of_spec', 'failed', 'released', 'to_site', 'received', 'stored', 'thawed', 'infused')", name=op.f('ck_cell_orders_known_status')),
    sa.ForeignKeyConstraint(['coa_file_id'], ['stored_files.id'], name=op.f('fk_cell_orders_coa_file_id_stored_files')),
    sa.ForeignKeyConstraint(['infused_by_id'], ['users.id'], name=op.f('fk_cell_orders_infused_by_id_users')),
    sa.ForeignKeyConstraint(['shipper_id'], ['cell_shippers.id'], name=op.f('fk_cell_orders_shipper_id_cell_shippers')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_cell_orders_site_id_sites')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_cell_orders_subject_id_subjects')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_cell_orders_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_orders')),
    sa.UniqueConstraint('coi', name=op.f('uq_cell_orders_coi'))
    )
    with op.batch_alter_table('cell_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cell_orders_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cell_orders_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index('ix_cell_orders_trial_status', ['trial_id', 'status'], unique=False)

    op.create_table('cell_custody',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('handed_over_by', sa.String(length=120), nullable=False),
    sa.Column('received_by', sa.String(length=120), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=160), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('condition', sa.String(length=20), nullable=False),
    sa.Column('temperature_c', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('bag_scan', sa.String(length=40), nullable=False),
    sa.Column('document_scan', sa.String(length=40), nullable=False),
    sa.CheckConstraint("condition IN ('intact', 'damaged', 'frozen', 'cool')", name=op.f('ck_cell_custody_known_condition')),
    sa.CheckConstraint("step IN ('ship_to_lab', 'receive_at_lab', 'ship_to_site', 'receive_at_site', 'infuse')", name=op.f('ck_cell_custody_known_step')),
    sa.ForeignKeyConstraint(['order_id'], ['cell_orders.id'], name=op.f('fk_cell_custody_order_id_cell_orders')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_cell_custody_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_custody'))
    )
    with op.batch_alter_table('cell_custody', schema=None) as batch_op:
        batch_op.create_index('ix_cell_custody_order', ['order_id', 'occurred_at'], unique=False)

    op.create_table('cell_legs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('leg', sa.String(length=10), nullable=False),
    sa.Column('logger_serial', sa.String(length=60), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=True),
    sa.Column('readings', sa.Integer(), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('min_c', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('max_c', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('limit_c', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('minutes_out', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('qa_status', sa.String(length=10), nullable=False),
    sa.Column('qa_by_id', sa.Integer(), nullable=True),
    sa.Column('qa_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('qa_reason', sa.Text(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("leg IN ('to_lab', 'to_site')", name=op.f('ck_cell_legs_known_leg')),
    sa.CheckConstraint("qa_status IN ('none', 'pending', 'accepted', 'rejected')", name=op.f('ck_cell_legs_known_qa_status')),
    sa.ForeignKeyConstraint(['order_id'], ['cell_orders.id'], name=op.f('fk_cell_legs_order_id_cell_orders')),
    sa.ForeignKeyConstraint(['qa_by_id'], ['users.id'], name=op.f('fk_cell_legs_qa_by_id_users')),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_cell_legs_stored_file_id_stored_files')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_cell_legs_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_legs'))
    )
    with op.batch_alter_table('cell_legs', schema=None) as batch_op:
        batch_op.create_index('ix_cell_legs_order', ['order_id'], unique=False)



def downgrade():
    op.execute("DELETE FROM user_roles WHERE role = 'manufacturer'")
    _known_roles(ROLES_BEFORE)
    with op.batch_alter_table('cell_legs', schema=None) as batch_op:
        batch_op.drop_index('ix_cell_legs_order')

    op.drop_table('cell_legs')
    with op.batch_alter_table('cell_custody', schema=None) as batch_op:
        batch_op.drop_index('ix_cell_custody_order')

    op.drop_table('cell_custody')
    with op.batch_alter_table('cell_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_cell_orders_trial_status')
        batch_op.drop_index(batch_op.f('ix_cell_orders_subject_id'))
        batch_op.drop_index(batch_op.f('ix_cell_orders_site_id'))

    op.drop_table('cell_orders')
    op.drop_table('cell_shippers')
