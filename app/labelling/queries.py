"""Read-only: imports and the lots waiting, templates, runs and campaigns as lists."""

from sqlalchemy import exists, func, select

from app.labelling.models import (
    CountryRelease,
    ExpiryExtension,
    ImportRecord,
    LabelRun,
    LabelTemplate,
    import_lots,
)
from app.shipments.api import Shipment
from app.stock.api import Lot

# A shipment's kits are labelled once picked and until the boxes leave.
LABELLED_SHIPMENTS = ("picked", "packed")


def imports_query(waiting=None):
    """Return the select of imports; waiting='certify' or 'release' keeps those with such lots."""
    stmt = select(ImportRecord)
    if waiting in ("certify", "release"):
        status = "quarantine" if waiting == "certify" else "certified"
        stmt = stmt.where(exists().where(import_lots.c.import_id == ImportRecord.id,
                                         import_lots.c.lot_id == Lot.id, Lot.status == status))
    return stmt


def _count_imported_lots(session, status):
    return session.scalar(select(func.count()).select_from(Lot).join(
        import_lots, import_lots.c.lot_id == Lot.id).where(Lot.status == status)) or 0


def count_lots_to_certify(session):
    """Imported lots still in quarantine (the QP's queue)."""
    return _count_imported_lots(session, "quarantine")


def count_lots_to_release(session):
    """Certified lots not yet released for any country."""
    return _count_imported_lots(session, "certified")


def count_templates_to_approve(session):
    """Draft label templates (QA's queue)."""
    return session.scalar(select(func.count()).select_from(LabelTemplate).where(
        LabelTemplate.status == "draft")) or 0


def count_runs_to_reconcile(session):
    """Printed label runs not yet reconciled."""
    return session.scalar(select(func.count()).select_from(LabelRun).where(
        LabelRun.status == "printed")) or 0


def released_countries(session, lot_id):
    """Return the countries a lot is released for."""
    return session.scalars(select(CountryRelease.country).where(
        CountryRelease.lot_id == lot_id).order_by(CountryRelease.country)).all()


def open_campaigns(session, trial_id=None):
    """Return open relabel campaigns (of a trial's lots)."""
    stmt = select(ExpiryExtension).where(ExpiryExtension.status == "open")
    if trial_id:
        stmt = stmt.join(Lot, Lot.id == ExpiryExtension.lot_id).where(Lot.trial_id == trial_id)
    return session.scalars(stmt.order_by(ExpiryExtension.id.desc())).all()


def shipments_to_label(session, trial_id):
    """Return the trial's shipments whose picked kits may be labelled, newest first."""
    return session.scalars(select(Shipment).where(
        Shipment.trial_id == trial_id, Shipment.status.in_(LABELLED_SHIPMENTS))
        .order_by(Shipment.id.desc()).limit(200)).all()
