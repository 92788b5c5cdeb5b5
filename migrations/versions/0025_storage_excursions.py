"""storage excursions: site storage out of range, kits there, QA decisions, exposure sources

Revision ID: 0025_storage_excursions
Revises: 0023_outbox_attachments
Create Date: 2026-11-28 00:35:22.704774

"""
import sqlalchemy as sa
from alembic import op

from app.core.database import append_only_statements, drop_append_only_statements


# revision identifiers, used by Alembic.
revision = '0025_storage_excursions'
down_revision = "0023_outbox_attachments"
branch_labels = None
depends_on = None

APPEND_ONLY = ("storage_qa_decisions", "storage_readings", "kit_exposures")


def upgrade():
    op.create_table('storage_excursions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes_out', sa.Float(), nullable=False),
    sa.Column('min_c', sa.Float(), nullable=True),
    sa.Column('max_c', sa.Float(), nullable=True),
    sa.Column('low_c', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('high_c', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('stored_file_id', sa.Integer(), nullable=True),
    sa.Column('reading_count', sa.Integer(), nullable=True),
    sa.Column('periods', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('qa_pending', sa.Boolean(), nullable=False),
    sa.CheckConstraint("source IN ('logger', 'manual')", name=op.f('ck_storage_excursions_known_source')),
    sa.CheckConstraint('ended_at > started_at', name=op.f('ck_storage_excursions_period_order')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_storage_excursions_location_id_locations')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_storage_excursions_reported_by_id_users')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_storage_excursions_site_id_sites')),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_storage_excursions_stored_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_excursions'))
    )
    with op.batch_alter_table('storage_excursions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_excursions_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_storage_excursions_site_id'), ['site_id'], unique=False)

    op.create_table('kit_exposures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('minutes_out', sa.Float(), nullable=False),
    sa.Column('lowest_c', sa.Float(), nullable=True),
    sa.Column('highest_c', sa.Float(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('shipment', 'storage')", name=op.f('ck_kit_exposures_known_source')),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_kit_exposures_kit_id_kits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_exposures'))
    )
    with op.batch_alter_table('kit_exposures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_exposures_kit_id'), ['kit_id'], unique=False)

    op.create_table('storage_qa_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('excursion_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('departure_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("decision IN ('released', 'rejected')", name=op.f('ck_storage_qa_decisions_known_decision')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_storage_qa_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['excursion_id'], ['storage_excursions.id'], name=op.f('fk_storage_qa_decisions_excursion_id_storage_excursions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_qa_decisions'))
    )
    with op.batch_alter_table('storage_qa_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_qa_decisions_excursion_id'), ['excursion_id'], unique=False)

    op.create_table('storage_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('excursion_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('temperature_c', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['excursion_id'], ['storage_excursions.id'], name=op.f('fk_storage_readings_excursion_id_storage_excursions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_readings'))
    )
    with op.batch_alter_table('storage_readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_readings_excursion_id'), ['excursion_id'], unique=False)

    op.create_table('storage_excursion_kits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('excursion_id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('minutes_out', sa.Float(), nullable=False),
    sa.Column('state_before', sa.String(length=20), nullable=False),
    sa.Column('quarantined', sa.Boolean(), nullable=False),
    sa.Column('qa_outcome', sa.String(length=20), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['storage_qa_decisions.id'], name=op.f('fk_storage_excursion_kits_decision_id_storage_qa_decisions')),
    sa.ForeignKeyConstraint(['excursion_id'], ['storage_excursions.id'], name=op.f('fk_storage_excursion_kits_excursion_id_storage_excursions')),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_storage_excursion_kits_kit_id_kits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storage_excursion_kits'))
    )
    with op.batch_alter_table('storage_excursion_kits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storage_excursion_kits_excursion_id'), ['excursion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_storage_excursion_kits_kit_id'), ['kit_id'], unique=False)
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_statements(table, dialect):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in drop_append_only_statements(table, dialect):
            op.execute(statement)
    with op.batch_alter_table('storage_excursion_kits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storage_excursion_kits_kit_id'))
        batch_op.drop_index(batch_op.f('ix_storage_excursion_kits_excursion_id'))

    op.drop_table('storage_excursion_kits')
    with op.batch_alter_table('storage_readings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storage_readings_excursion_id'))

    op.drop_table('storage_readings')
    with op.batch_alter_table('storage_qa_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storage_qa_decisions_excursion_id'))

    op.drop_table('storage_qa_decisions')
    with op.batch_alter_table('kit_exposures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kit_exposures_kit_id'))

    op.drop_table('kit_exposures')
    with op.batch_alter_table('storage_excursions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storage_excursions_site_id'))
        batch_op.drop_index(batch_op.f('ix_storage_excursions_location_id'))

    op.drop_table('storage_excursions')

