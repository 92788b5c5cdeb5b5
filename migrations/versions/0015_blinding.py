"""blinding: randomisation lists and numbers, randomisations, strata corrections, code breaks

The kit_arms table is unchanged (its model moved from stock to the blinding package).

Revision ID: 0015_blinding
Revises: 0014_labelling
Create Date: 2026-11-27 21:05:28.028525

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_blinding'
down_revision = "0014_labelling"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('randomisation_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('algorithm', sa.String(length=40), nullable=True),
    sa.Column('algorithm_version', sa.Integer(), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('seed', sa.String(length=200), nullable=True),
    sa.Column('seed_sha256', sa.String(length=64), nullable=True),
    sa.Column('list_sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('production', 'testing', 'training')", name=op.f('ck_randomisation_lists_known_purpose')),
    sa.CheckConstraint("source IN ('generated', 'uploaded')", name=op.f('ck_randomisation_lists_known_source')),
    sa.CheckConstraint("status IN ('draft', 'verified', 'retired')", name=op.f('ck_randomisation_lists_known_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_randomisation_lists_created_by_id_users')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_randomisation_lists_trial_id_trials')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_randomisation_lists_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_randomisation_lists')),
    sa.UniqueConstraint('trial_id', 'name', name=op.f('uq_randomisation_lists_trial_id_name'))
    )
    with op.batch_alter_table('randomisation_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_randomisation_lists_trial_id'), ['trial_id'], unique=False)

    op.create_table('code_breaks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('adverse_event', sa.Boolean(), nullable=False),
    sa.Column('broken_by_id', sa.Integer(), nullable=False),
    sa.Column('broken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['broken_by_id'], ['users.id'], name=op.f('fk_code_breaks_broken_by_id_users')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_code_breaks_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_breaks'))
    )
    with op.batch_alter_table('code_breaks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_breaks_subject_id'), ['subject_id'], unique=False)

    op.create_table('randomisation_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('block', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=200), nullable=False),
    sa.Column('arm', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('randomised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('randomised_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['randomisation_lists.id'], name=op.f('fk_randomisation_slots_list_id_randomisation_lists')),
    sa.ForeignKeyConstraint(['randomised_by_id'], ['users.id'], name=op.f('fk_randomisation_slots_randomised_by_id_users')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_randomisation_slots_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_randomisation_slots')),
    sa.UniqueConstraint('list_id', 'number', name=op.f('uq_randomisation_slots_list_id_number')),
    sa.UniqueConstraint('subject_id', name=op.f('uq_randomisation_slots_subject_id'))
    )
    with op.batch_alter_table('randomisation_slots', schema=None) as batch_op:
        batch_op.create_index('ix_randomisation_slots_free', ['list_id', 'stratum', 'subject_id', 'sequence'], unique=False)

    op.create_table('randomisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('strata', sa.JSON(), nullable=False),
    sa.Column('randomised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('randomised_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['randomised_by_id'], ['users.id'], name=op.f('fk_randomisations_randomised_by_id_users')),
    sa.ForeignKeyConstraint(['slot_id'], ['randomisation_slots.id'], name=op.f('fk_randomisations_slot_id_randomisation_slots')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_randomisations_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_randomisations')),
    sa.UniqueConstraint('slot_id', name=op.f('uq_randomisations_slot_id')),
    sa.UniqueConstraint('subject_id', name=op.f('uq_randomisations_subject_id'))
    )
    op.create_table('strata_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('randomisation_id', sa.Integer(), nullable=False),
    sa.Column('old_strata', sa.JSON(), nullable=False),
    sa.Column('new_strata', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('corrected_by_id', sa.Integer(), nullable=False),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_strata_corrections_corrected_by_id_users')),
    sa.ForeignKeyConstraint(['randomisation_id'], ['randomisations.id'], name=op.f('fk_strata_corrections_randomisation_id_randomisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strata_corrections'))
    )
    with op.batch_alter_table('strata_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strata_corrections_randomisation_id'), ['randomisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('strata_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strata_corrections_randomisation_id'))

    op.drop_table('strata_corrections')
    op.drop_table('randomisations')
    with op.batch_alter_table('randomisation_slots', schema=None) as batch_op:
        batch_op.drop_index('ix_randomisation_slots_free')

    op.drop_table('randomisation_slots')
    with op.batch_alter_table('code_breaks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_breaks_subject_id'))

    op.drop_table('code_breaks')
    with op.batch_alter_table('randomisation_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_randomisation_lists_trial_id'))

    op.drop_table('randomisation_lists')
