"""Imports, customs clearance, QP certification and the sponsor's release per country."""


from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.unique import refuse_taken
from app.esign.services import sign
from app.files.services import FileRefused, store_bytes
from app.labelling.models import (
    CountryRelease,
    ImportDocument,
    ImportRecord,
    QpCertification,
    import_lots,
)
from app.stock.api import LOT, check_lot_rules

DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
IMPORT_FIELDS = ("reference", "origin_country", "supplier", "manufacturer", "received_on",
                 "arrival_temperature_c", "customs_document", "customs_cleared_on")


def import_of(session, lot):
    """Return the import record a lot arrived with, or None."""
    return session.scalar(select(ImportRecord).join(
        import_lots, import_lots.c.import_id == ImportRecord.id).where(
        import_lots.c.lot_id == lot.id))


def create_import(session, trial, data, lots, by=None, today=None):
    """Record an import: origin, supplier, manufacturer, arrival, its lots (in quarantine)."""
    today = today or clock.today()
    refuse_taken(session, ImportRecord.reference, data["reference"],
                 _("Another import already has this reference."), "reference")
    if data["received_on"] > today:
        raise DomainError(_("The arrival date is in the future."), "received_on")
    if not lots:
        raise DomainError(_("Choose the lots received with this import."), "lot_ids")
    for lot in lots:
        if lot.status != "quarantine":
            raise DomainError(_("Lot %(lot)s is not in quarantine: an imported lot waits for "
                                "QP certification.", lot=lot.number), "lot_ids")
        if import_of(session, lot) is not None:
            raise DomainError(_("Lot %(lot)s already belongs to an import.", lot=lot.number),
                              "lot_ids")
    record = ImportRecord(trial_id=trial.id, recorded_by_id=by.id if by else None)
    for name in IMPORT_FIELDS:
        setattr(record, name, data.get(name) or None)
    if record.customs_cleared_on:
        _check_clearance(record, record.customs_document, record.customs_cleared_on, today)
    record.lots = list(lots)
    session.add(record)
    session.flush()
    return record


def _check_clearance(record, document, cleared_on, today):
    if not (document or "").strip():
        raise DomainError(_("Give the customs document (DUA) number."), "customs_document")
    if cleared_on is None:
        raise DomainError(_("Give the date customs cleared the goods."), "customs_cleared_on")
    if cleared_on > today:
        raise DomainError(_("The clearance date is in the future."), "customs_cleared_on")
    if cleared_on < record.received_on:
        raise DomainError(_("Customs cannot clear goods before they arrive."),
                          "customs_cleared_on")


def record_clearance(session, record, document, cleared_on, today=None):
    """Record the customs document (DUA) number and the date it was cleared."""
    if record.cleared:
        raise DomainError(_("Customs clearance of this import is already recorded."))
    _check_clearance(record, document, cleared_on, today or clock.today())
    record.customs_document, record.customs_cleared_on = document.strip(), cleared_on
    session.flush()
    return record


def _store(session, upload, by):
    try:
        return store_bytes(session, upload.read(), original_name=upload.filename or "document",
                           allowed_types=DOCUMENT_TYPES, max_bytes=MAX_DOCUMENT_BYTES,
                           uploaded_by=by)
    except FileRefused as error:
        raise DomainError(str(error), "document") from error


def attach_document(session, record, kind, upload, by=None):
    """Store a certificate of analysis, GMP certificate or invoice with the import."""
    stored = _store(session, upload, by)
    document = ImportDocument(import_id=record.id, kind=kind, file_id=stored.id)
    document.file = stored
    session.add(document)
    session.flush()
    return document


def certify_lot(session, lot, *, signer, password, comment=None):
    """The QP certifies a lot (e-signature "certified"); an imported lot needs customs first."""
    if session.scalar(select(QpCertification.id).where(QpCertification.lot_id == lot.id)):
        raise DomainError(_("Lot %(lot)s is already certified by a QP.", lot=lot.number))
    record = import_of(session, lot)
    if record is not None and not record.cleared:
        raise DomainError(_("Lot %(lot)s was imported (%(ref)s) and customs clearance is not "
                            "recorded: record the DUA first.", lot=lot.number,
                            ref=record.reference))
    if not signer.can("labelling.certify"):
        raise DomainError(_("Only a Qualified Person may certify a lot."))
    check_lot_rules(session, lot, "certify")
    certification = QpCertification(lot_id=lot.id, certified_by_id=signer.id,
                                     comment=(comment or "").strip() or None)
    certification.lot = lot
    session.add(certification)
    session.flush()
    signature = sign(session, certification, meaning="certified", signer=signer,
                     password=password, comment=comment)
    apply_transition(session, LOT, lot, "certify", by=signer, signature=signature,
                     reason=_("QP certification"))
    return certification


def release_for_country(session, lot, data, *, by, document=None, today=None):
    """Record the sponsor's release of a certified lot for one of the trial's countries."""
    today = today or clock.today()
    country = (data.get("country") or "").upper()
    if lot.status not in ("certified", "released") or not session.scalar(
            select(QpCertification.id).where(QpCertification.lot_id == lot.id)):
        raise DomainError(_("Lot %(lot)s is not certified by a QP yet; it cannot be released "
                            "for a country.", lot=lot.number), "country")
    countries = lot.trial.country_list if lot.trial else []
    if country not in countries:
        raise DomainError(_("Trial %(trial)s does not run in %(country)s (its countries: "
                            "%(list)s).", trial=lot.trial.protocol_code if lot.trial else "—",
                            country=country or "—", list=", ".join(countries) or "—"),
                          "country")
    if session.scalar(select(CountryRelease.id).where(CountryRelease.lot_id == lot.id,
                                                      CountryRelease.country == country)):
        raise DomainError(_("Lot %(lot)s is already released for %(country)s.",
                            lot=lot.number, country=country), "country")
    if data["released_on"] > today:
        raise DomainError(_("The release date is in the future."), "released_on")
    release = CountryRelease(lot_id=lot.id, country=country,
                             authorised_by=data["authorised_by"].strip(),
                             reference=data["reference"].strip(),
                             released_on=data["released_on"], recorded_by_id=by.id)
    release.lot = lot
    if document is not None and getattr(document, "filename", ""):
        release.document_id = _store(session, document, by).id
    session.add(release)
    session.flush()
    if lot.status == "certified":
        apply_transition(session, LOT, lot, "release", by=by,
                         reason=_("Released for %(country)s", country=country))
    return release


def releases_of(session, lot):
    """Return a lot's country releases."""
    return session.scalars(select(CountryRelease).where(CountryRelease.lot_id == lot.id)
                           .order_by(CountryRelease.country)).all()


def certification_of(session, lot):
    """Return a lot's QP certification, or None."""
    return session.scalar(select(QpCertification).where(QpCertification.lot_id == lot.id))
