"""labelling: imports, QP certification, release per country, label templates and runs,
relabel campaigns; lots gain the status "certified"

Revision ID: 0014_labelling
Revises: 0013_everyday
Create Date: 2026-11-27 21:04:42.454017

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_labelling'
down_revision = "0013_everyday"
branch_labels = None
depends_on = None


OLD_LOT_STATUSES = "status IN ('quarantine', 'released', 'rejected', 'expired', 'recalled')"
NEW_LOT_STATUSES = ("status IN ('quarantine', 'certified', 'released', 'rejected', 'expired', "
                    "'recalled')")


def _lot_statuses(old, new):
    """Replace the lots' status CHECK.

    PostgreSQL alters the constraint. SQLite cannot rebuild a table other tables point at
    inside the migration's transaction (its foreign keys count the dropped rows), so it edits
    the CHECK in the stored schema, the procedure SQLite documents for changes that leave the
    stored rows valid; the schema version is bumped so every connection re-reads it.
    """
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_lots_known_status'), 'lots', type_='check')
        op.create_check_constraint(op.f('ck_lots_known_status'), 'lots', new)
        return
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema=ON')
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
                         "WHERE type = 'table' AND name = 'lots'", (old, new))
    bind.exec_driver_sql(f'PRAGMA schema_version={version + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema=OFF')


def upgrade():
    _lot_statuses(OLD_LOT_STATUSES, NEW_LOT_STATUSES)
    op.create_table('import_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=False),
    sa.Column('manufacturer', sa.String(length=200), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('arrival_temperature_c', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('customs_document', sa.String(length=40), nullable=True),
    sa.Column('customs_cleared_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_import_records_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_import_records_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_records')),
    sa.UniqueConstraint('reference', name=op.f('uq_import_records_reference'))
    )
    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_records_trial_id'), ['trial_id'], unique=False)

    op.create_table('label_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('packaging', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('width_mm', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('height_mm', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('font_size', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('particular_a', sa.String(length=500), nullable=True),
    sa.Column('particular_b', sa.String(length=500), nullable=True),
    sa.Column('particular_c', sa.String(length=500), nullable=True),
    sa.Column('particular_d', sa.String(length=500), nullable=True),
    sa.Column('particular_e', sa.String(length=500), nullable=True),
    sa.Column('particular_f', sa.String(length=500), nullable=True),
    sa.Column('particular_g', sa.String(length=500), nullable=True),
    sa.Column('particular_h', sa.String(length=500), nullable=True),
    sa.Column('particular_i', sa.String(length=500), nullable=True),
    sa.Column('particular_j', sa.String(length=500), nullable=True),
    sa.Column('particular_k', sa.String(length=500), nullable=True),
    sa.Column('particular_l', sa.String(length=500), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('es', 'pt')", name=op.f('ck_label_templates_known_language')),
    sa.CheckConstraint("packaging IN ('outer', 'immediate', 'small', 'extension')", name=op.f('ck_label_templates_known_packaging')),
    sa.CheckConstraint("status IN ('draft', 'approved', 'retired')", name=op.f('ck_label_templates_known_status')),
    sa.CheckConstraint('width_mm > 0 AND height_mm > 0', name=op.f('ck_label_templates_size_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_label_templates_product_id_products')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_label_templates_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_templates')),
    sa.UniqueConstraint('trial_id', 'name', 'version', name=op.f('uq_label_templates_trial_id_name_version'))
    )
    with op.batch_alter_table('label_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_templates_trial_id'), ['trial_id'], unique=False)

    op.create_table('country_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('authorised_by', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['stored_files.id'], name=op.f('fk_country_releases_document_id_stored_files')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_country_releases_lot_id_lots')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_country_releases_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_country_releases')),
    sa.UniqueConstraint('lot_id', 'country', name=op.f('uq_country_releases_lot_id_country'))
    )
    with op.batch_alter_table('country_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_country_releases_lot_id'), ['lot_id'], unique=False)

    op.create_table('expiry_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('old_expiry', sa.Date(), nullable=False),
    sa.Column('new_expiry', sa.Date(), nullable=False),
    sa.Column('justification', sa.String(length=500), nullable=False),
    sa.Column('stability_reference', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_expiry_extensions_known_status')),
    sa.CheckConstraint('new_expiry > old_expiry', name=op.f('ck_expiry_extensions_expiry_later')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_expiry_extensions_lot_id_lots')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_expiry_extensions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expiry_extensions'))
    )
    with op.batch_alter_table('expiry_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expiry_extensions_lot_id'), ['lot_id'], unique=False)

    op.create_table('import_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('coa', 'gmp', 'invoice', 'release', 'other')", name=op.f('ck_import_documents_known_kind')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_import_documents_file_id_stored_files')),
    sa.ForeignKeyConstraint(['import_id'], ['import_records.id'], name=op.f('fk_import_documents_import_id_import_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_documents'))
    )
    with op.batch_alter_table('import_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_documents_import_id'), ['import_id'], unique=False)

    op.create_table('import_lots',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['import_records.id'], name=op.f('fk_import_lots_import_id_import_records')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_import_lots_lot_id_lots')),
    sa.PrimaryKeyConstraint('import_id', 'lot_id', name=op.f('pk_import_lots')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_import_lots_lot_id'))
    )
    op.create_table('qp_certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('certified_by_id', sa.Integer(), nullable=False),
    sa.Column('certified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['certified_by_id'], ['users.id'], name=op.f('fk_qp_certifications_certified_by_id_users')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_qp_certifications_lot_id_lots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qp_certifications')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_qp_certifications_lot_id'))
    )
    op.create_table('label_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('first_kit', sa.String(length=40), nullable=True),
    sa.Column('last_kit', sa.String(length=40), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('layout', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('kit_count', sa.Integer(), nullable=False),
    sa.Column('printed', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('spoiled', sa.Integer(), nullable=False),
    sa.Column('destroyed', sa.Integer(), nullable=False),
    sa.Column('discrepancy_reason', sa.String(length=500), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("layout IN ('roll', 'a4')", name=op.f('ck_label_runs_known_layout')),
    sa.CheckConstraint("scope IN ('lot', 'range', 'campaign')", name=op.f('ck_label_runs_known_scope')),
    sa.CheckConstraint("status IN ('requested', 'printed', 'closed')", name=op.f('ck_label_runs_known_status')),
    sa.CheckConstraint('applied >= 0 AND spoiled >= 0 AND destroyed >= 0', name=op.f('ck_label_runs_counts_not_negative')),
    sa.ForeignKeyConstraint(['campaign_id'], ['expiry_extensions.id'], name=op.f('fk_label_runs_campaign_id_expiry_extensions')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_label_runs_job_id_jobs')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_label_runs_lot_id_lots')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_label_runs_requested_by_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['label_templates.id'], name=op.f('fk_label_runs_template_id_label_templates')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_label_runs_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_runs'))
    )
    with op.batch_alter_table('label_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_runs_trial_id'), ['trial_id'], unique=False)

    op.create_table('label_prints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_label_prints_kit_id_kits')),
    sa.ForeignKeyConstraint(['run_id'], ['label_runs.id'], name=op.f('fk_label_prints_run_id_label_runs')),
    sa.ForeignKeyConstraint(['template_id'], ['label_templates.id'], name=op.f('fk_label_prints_template_id_label_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_prints'))
    )
    with op.batch_alter_table('label_prints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_prints_kit_id'), ['kit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_prints_run_id'), ['run_id'], unique=False)

    op.create_table('relabelled_kits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=10), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('relabelled_by_id', sa.Integer(), nullable=False),
    sa.Column('relabelled_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("place IN ('depot', 'site')", name=op.f('ck_relabelled_kits_known_place')),
    sa.ForeignKeyConstraint(['campaign_id'], ['expiry_extensions.id'], name=op.f('fk_relabelled_kits_campaign_id_expiry_extensions')),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_relabelled_kits_kit_id_kits')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_relabelled_kits_location_id_locations')),
    sa.ForeignKeyConstraint(['relabelled_by_id'], ['users.id'], name=op.f('fk_relabelled_kits_relabelled_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relabelled_kits')),
    sa.UniqueConstraint('campaign_id', 'kit_id', name=op.f('uq_relabelled_kits_campaign_id_kit_id'))
    )
    with op.batch_alter_table('relabelled_kits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relabelled_kits_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relabelled_kits_kit_id'), ['kit_id'], unique=False)



def downgrade():
    op.execute("UPDATE lots SET status = 'quarantine' WHERE status = 'certified'")
    _lot_statuses(NEW_LOT_STATUSES, OLD_LOT_STATUSES)
    with op.batch_alter_table('relabelled_kits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relabelled_kits_kit_id'))
        batch_op.drop_index(batch_op.f('ix_relabelled_kits_campaign_id'))

    op.drop_table('relabelled_kits')
    with op.batch_alter_table('label_prints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_prints_run_id'))
        batch_op.drop_index(batch_op.f('ix_label_prints_kit_id'))

    op.drop_table('label_prints')
    with op.batch_alter_table('label_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_runs_trial_id'))

    op.drop_table('label_runs')
    op.drop_table('qp_certifications')
    op.drop_table('import_lots')
    with op.batch_alter_table('import_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_documents_import_id'))

    op.drop_table('import_documents')
    with op.batch_alter_table('expiry_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expiry_extensions_lot_id'))

    op.drop_table('expiry_extensions')
    with op.batch_alter_table('country_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_country_releases_lot_id'))

    op.drop_table('country_releases')
    with op.batch_alter_table('label_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_templates_trial_id'))

    op.drop_table('label_templates')
    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_records_trial_id'))

    op.drop_table('import_records')
