"""The sponsor's written authorisation to destroy: reference, signer, scope and document."""

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.core.errors import DomainError
from app.destruction.models import Authorisation, ReconciliationKit
from app.files.services import FileRefused, store_bytes
from app.stock.api import Kit, Lot
from app.trials.api import Site

DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
DOCUMENT_MAX = 20 * 1024 * 1024


def record_authorisation(session, trial, *, reference, signed_on, signed_by, valid_from,
                         valid_until=None, sponsor_email=None, site_ids=(), lot_ids=(),
                         kit_from=None, kit_to=None, reconciliation=None, document=None,
                         document_name=None, by=None):
    """Record the sponsor's authorisation with its scope and stored document; return it."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Give the sponsor's reference of the authorisation."), "reference")
    if session.scalar(select(Authorisation.id).where(Authorisation.trial_id == trial.id,
                                                     Authorisation.reference == reference)):
        raise DomainError(_("An authorisation with this reference is already recorded."),
                          "reference")
    if not (signed_by or "").strip():
        raise DomainError(_("Say who signed the authorisation at the sponsor."), "signed_by")
    if signed_on is None:
        raise DomainError(_("Give the date the sponsor signed."), "signed_on")
    if valid_from is None:
        raise DomainError(_("Give the first day the authorisation is valid."), "valid_from")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(_("The end date cannot be before the start date."), "valid_until")
    kit_from, kit_to = (kit_from or "").strip() or None, (kit_to or "").strip() or None
    if bool(kit_from) != bool(kit_to):
        raise DomainError(_("Give both ends of the kit range, or neither."), "kit_to")
    if kit_from and kit_to < kit_from:
        raise DomainError(_("The kit range ends before it starts."), "kit_to")
    if reconciliation is not None and (reconciliation.trial_id != trial.id
                                       or reconciliation.status != "verified"):
        raise DomainError(_("Only a verified reconciliation of this trial can be the scope."),
                          "reconciliation_id")
    sites = session.scalars(select(Site).where(Site.id.in_(site_ids or []))).all()
    lots = session.scalars(select(Lot).where(Lot.id.in_(lot_ids or []))).all()
    if any(site.trial_id != trial.id for site in sites):
        raise DomainError(_("Choose sites of this trial."), "site_ids")
    if not document:
        raise DomainError(_("Attach the signed authorisation."), "document")
    try:
        stored = store_bytes(session, document, original_name=document_name or "authorisation",
                             allowed_types=DOCUMENT_TYPES, max_bytes=DOCUMENT_MAX,
                             uploaded_by=by)
    except FileRefused as error:
        raise DomainError(str(error), "document") from error
    auth = Authorisation(
        trial_id=trial.id, reference=reference[:80], signed_on=signed_on,
        signed_by=signed_by.strip()[:200], sponsor_email=(sponsor_email or "").strip() or None,
        valid_from=valid_from, valid_until=valid_until, kit_from=kit_from, kit_to=kit_to,
        reconciliation_id=reconciliation.id if reconciliation else None,
        document_id=stored.id, recorded_by_id=by.id if by else None)
    auth.sites, auth.lots = list(sites), list(lots)
    session.add(auth)
    session.flush()
    return auth


def valid_on(auth, day):
    """Return True when the authorisation is valid on this day."""
    return auth.valid_from <= day and (auth.valid_until is None or day <= auth.valid_until)


def scope_clause(auth, site_of_kit):
    """Return the SQL condition a kit (and the site it came from) meets inside the scope."""
    terms = [Kit.trial_id == auth.trial_id]
    if auth.sites:
        terms.append(site_of_kit.in_([s.id for s in auth.sites]))
    if auth.lots:
        lot_ids = [lot.id for lot in auth.lots]
        terms.append(Kit.lot_id.in_(lot_ids))
    if auth.kit_from:
        terms.append(and_(Kit.kit_number >= auth.kit_from, Kit.kit_number <= auth.kit_to))
    if auth.reconciliation_id:
        terms.append(Kit.id.in_(select(ReconciliationKit.kit_id).where(
            ReconciliationKit.reconciliation_id == auth.reconciliation_id)))
    return and_(*terms) if len(terms) > 1 else or_(*terms)


def describe_scope(auth):
    """Return the scope in words."""
    parts = [_("Trial %(t)s", t=auth.trial.protocol_code)]
    if auth.sites:
        parts.append(_("sites %(s)s", s=", ".join(s.site_number for s in auth.sites)))
    if auth.lots:
        parts.append(_("lots %(l)s", l=", ".join(lot.number for lot in auth.lots)))
    if auth.kit_from:
        parts.append(_("kits %(a)s to %(b)s", a=auth.kit_from, b=auth.kit_to))
    if auth.reconciliation_id:
        parts.append(_("kits of reconciliation %(n)s", n=auth.reconciliation.number))
    return "; ".join(parts)
