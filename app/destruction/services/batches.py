"""Destruction batches: gather covered kits, the witness signs, the responsible person executes
(every kit to "destroyed" through the stock ledger, all or nothing)."""

import hashlib
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core import clock
from app.core.bulk import insert_rows
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.states import apply_transition
from app.core.templating import local_date
from app.destruction.models import (
    DESTRUCTION_METHODS,
    DestructionBatch,
    DestructionItem,
    Reconciliation,
    ReconciliationKit,
    ReturnedKit,
)
from app.destruction.queries import first_uncovered
from app.destruction.services import batch_devices
from app.destruction.services.authorisations import scope_clause, valid_on
from app.destruction.states import BATCH
from app.esign.services import sign
from app.files.services import FileRefused, store_bytes
from app.stock.api import Dispensing, Kit, KitReturn, Product, move_kits_in_bulk, site_location

CERTIFICATE_TYPES = ("application/pdf", "image/jpeg", "image/png")


def next_number(session, prefix, column, today=None):
    """Return the next number of the year under a prefix, e.g. DST-2026-000042."""
    year = (today or clock.today()).year
    head = f"{prefix}-{year}-"
    last = session.scalar(select(func.max(column)).where(column.like(head + "%")))
    return f"{head}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:06d}"


def create_batch(session, auth, *, method, contractor, contractor_licence, place,
                 destroyed_on, weight_kg=None, site=None, by=None, today=None):
    """Create a draft batch under an authorisation; return it (flushed, without items)."""
    today = today or clock.today()
    if method not in DESTRUCTION_METHODS:
        raise DomainError(_("Choose the method of destruction."), "method")
    for name, value in (("contractor", contractor), ("contractor_licence", contractor_licence),
                        ("place", place)):
        if not (value or "").strip():
            raise DomainError(_("This field is required."), name)
    if destroyed_on is None:
        raise DomainError(_("Give the date of destruction."), "destroyed_on")
    if destroyed_on > today:
        raise DomainError(_("The date of destruction cannot be in the future."), "destroyed_on")
    if not valid_on(auth, destroyed_on):
        raise DomainError(_("Authorisation %(ref)s is not valid on %(day)s.",
                            ref=auth.reference, day=local_date(destroyed_on)), "destroyed_on")
    try:
        weight = Decimal(str(weight_kg)) if weight_kg not in (None, "") else None
    except InvalidOperation as error:
        raise DomainError(_("Give the weight in kilograms."), "weight_kg") from error
    if weight is not None and weight <= 0:
        raise DomainError(_("The weight must be more than zero."), "weight_kg")
    if weight is not None:
        # Kept as the database keeps it (grams): "1.8" signed now and "1.800" read back later
        # would otherwise sign one content and show another.
        grams = weight.quantize(Decimal("0.001"))
        if grams != weight:
            raise DomainError(_("Give the weight to the gram at most (three decimals)."),
                              "weight_kg")
        weight = grams
    if site is not None and site.trial_id != auth.trial_id:
        raise DomainError(_("Site %(s)s is not in this trial.", s=site.site_number), "site_id")
    batch = DestructionBatch(
        number=next_number(session, "DST", DestructionBatch.number, today),
        trial_id=auth.trial_id, authorisation_id=auth.id, status="draft",
        place_kind="site" if site is not None else "contractor",
        site_id=site.id if site is not None else None, method=method,
        contractor=contractor.strip()[:200], contractor_licence=contractor_licence.strip()[:80],
        place=place.strip()[:300], destroyed_on=destroyed_on, weight_kg=weight,
        created_by_id=by.id if by else None)
    batch.authorisation = auth
    session.add(batch)
    session.flush()
    return batch


def covered_kits(session, batch, free_only=True):
    """Return a select of (kit id, number, lot, site) of kits the batch may destroy now.

    Pending destruction, in a verified reconciliation of the trial, inside the authorisation's
    scope, at the hospital for an on-site batch, and (free_only) in no batch yet.
    """
    stmt = (select(Kit.id, Kit.kit_number, Kit.lot_id, Reconciliation.site_id)
            .join(ReconciliationKit, ReconciliationKit.kit_id == Kit.id)
            .join(Reconciliation, Reconciliation.id == ReconciliationKit.reconciliation_id)
            .where(Kit.trial_id == batch.trial_id, Kit.state == "pending_destruction",
                   Reconciliation.status == "verified",
                   Reconciliation.trial_id == batch.trial_id,
                   scope_clause(batch.authorisation, Reconciliation.site_id))
            .order_by(Kit.kit_number))
    if free_only:
        stmt = stmt.where(Kit.id.not_in(select(DestructionItem.kit_id).where(
            DestructionItem.kit_id.is_not(None))))
    if batch.site_id is not None:
        location = site_location(session, batch.site)
        stmt = stmt.where(Kit.location_id == location.id,
                          Reconciliation.site_id == batch.site_id)
    return stmt


def _units_and_subjects(session, kit_ids):
    """Return {kit id: (units, subject code)} for the kits, from returns and dispensings."""
    units = dict(session.execute(select(Kit.id, Product.units_per_kit).join(
        Product, Product.id == Kit.product_id).where(Kit.id.in_(kit_ids))).all())
    for kit_id, returned in session.execute(select(KitReturn.kit_id, KitReturn.units_returned)
                                            .where(KitReturn.kit_id.in_(kit_ids))):
        units[kit_id] = returned
    for kit_id, remaining in session.execute(
            select(ReturnedKit.kit_id, ReturnedKit.units_remaining)
            .where(ReturnedKit.kit_id.in_(kit_ids)).order_by(ReturnedKit.id)):
        units[kit_id] = remaining
    subjects = {}
    from app.trials.api import Subject

    for kit_id, code in session.execute(select(Dispensing.kit_id, Subject.code).join(
            Subject, Subject.id == Dispensing.subject_id).where(Dispensing.kit_id.in_(kit_ids))):
        subjects[kit_id] = code
    return {kit_id: (units.get(kit_id, 0), subjects.get(kit_id)) for kit_id in kit_ids}


def add_kits(session, batch, numbers=None):
    """Add covered kits to a draft batch (all of them, or those numbered); return how many."""
    if batch.status != "draft":
        raise DomainError(_("Kits are added while the batch is a draft."))
    stmt = covered_kits(session, batch)
    if numbers:
        wanted = [n.strip()[:40] for n in numbers if n.strip()]
        rows = session.execute(stmt.where(Kit.kit_number.in_(wanted))).all()
        found = {row.kit_number for row in rows}
        for number in wanted:
            if number not in found:
                raise DomainError(explain_refusal(session, batch, number), "kit_numbers")
    else:
        rows = session.execute(stmt).all()
    if not rows:
        raise DomainError(_("No kit is pending destruction within this authorisation and a "
                          "verified reconciliation."), "kit_numbers")
    details = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        details.update(_units_and_subjects(session, ids[start:start + 900]))
    insert_rows(session, DestructionItem.__table__, [
        {"batch_id": batch.id, "kind": "kit", "kit_id": row.id, "reference": row.kit_number,
         "lot_id": row.lot_id, "site_id": row.site_id, "units": details[row.id][0],
         "subject_code": details[row.id][1]} for row in rows])
    batch.item_count = session.scalar(select(func.count()).where(
        DestructionItem.batch_id == batch.id))
    session.flush()
    return len(rows)


def explain_refusal(session, batch, number):
    """Return, in plain words, why a kit cannot be destroyed in this batch."""
    kit = session.scalar(select(Kit).where(Kit.trial_id == batch.trial_id,
                                           Kit.kit_number == number))
    if kit is None:
        return _("There is no kit %(kit)s in this trial.", kit=number)
    if kit.state == "destroyed":
        return _("Kit %(kit)s has already been destroyed.", kit=number)
    if kit.state != "pending_destruction":
        return _("Kit %(kit)s is not pending destruction; it cannot be destroyed.", kit=number)
    if session.scalar(select(DestructionItem.id).where(DestructionItem.kit_id == kit.id,
                                                       DestructionItem.batch_id != batch.id)):
        return _("Kit %(kit)s is already in a destruction batch.", kit=number)
    in_verified = session.scalar(
        select(ReconciliationKit.kit_id).join(Reconciliation).where(
            ReconciliationKit.kit_id == kit.id, Reconciliation.status == "verified"))
    if in_verified is None:
        return _("Kit %(kit)s is not in a closed and verified reconciliation.", kit=number)
    return _("Kit %(kit)s is outside the scope of authorisation %(ref)s.", kit=number,
             ref=batch.authorisation.reference)


def items_of(session, batch):
    """Return a select of the batch's items in kit-number order."""
    return select(DestructionItem).where(DestructionItem.batch_id == batch.id) \
        .order_by(DestructionItem.reference)


def items_digest(batch):
    """Return the SHA-256 of the batch's items (kind, reference, lot, units), in order."""
    from sqlalchemy.orm import object_session

    session = object_session(batch)
    digest = hashlib.sha256()
    for kind, ref, lot_id, units in session.execute(
            select(DestructionItem.kind, DestructionItem.reference, DestructionItem.lot_id,
                   DestructionItem.units).where(DestructionItem.batch_id == batch.id)
            .order_by(DestructionItem.kind, DestructionItem.reference)):
        digest.update(f"{kind}|{ref}|{lot_id}|{units}\n".encode())
    return digest.hexdigest()


def upload_site_certificate(session, batch, data, filename, *, by):
    """Keep the hospital's own certificate of an on-site destruction."""
    if batch.place_kind != "site":
        raise DomainError(_("Only an on-site destruction has the hospital's certificate."))
    if batch.status == "executed":
        raise DomainError(_("The batch is executed; its documents cannot change."))
    if by is not None and not by.sees_site("destruction.onsite", batch.site_id):
        raise DomainError(_("You can only record destruction at your own sites."), "document")
    try:
        stored = store_bytes(session, data, original_name=filename or "certificate",
                             allowed_types=CERTIFICATE_TYPES, max_bytes=20 * 1024 * 1024,
                             uploaded_by=by)
    except FileRefused as error:
        raise DomainError(str(error), "document") from error
    batch.site_certificate_id = stored.id
    session.flush()
    return stored


def _signing_conflict(batch):
    return DomainError(BATCH.conflict(batch))


def may_sign(user, batch, permission):
    """Return True when the user may sign the batch as witness or responsible person.

    Logistics and QA sign any batch; site staff sign an on-site destruction at their hospital.
    """
    if user.can(permission):
        return True
    return batch.place_kind == "site" and user.can("destruction.onsite") \
        and user.sees_site("destruction.onsite", batch.site_id)


def witness(session, batch, *, signer, password):
    """The witness signs the batch (before the responsible person executes it)."""
    if not may_sign(signer, batch, "destruction.witness"):
        raise DomainError(_("You cannot sign this batch as its witness."), "password")
    if batch.status != "draft":
        raise DomainError(_("Batch %(n)s has already been signed by its witness.",
                            n=batch.number))
    if not batch.item_count:
        raise DomainError(_("Add the kits or devices before signing."))
    try:
        signature = sign(session, batch, meaning="witnessed_destruction", signer=signer,
                         password=password)
    except (OperationalError, IntegrityError) as error:
        raise _signing_conflict(batch) from error
    apply_transition(session, BATCH, batch, "witness", by=signer, signature=signature,
                     values={"witness_id": signer.id})
    return signature


def check_executable(session, batch, signer):
    """Refuse, in plain words, a batch that cannot be executed by this person now."""
    if batch.status == "executed":
        raise DomainError(_("Batch %(n)s has already been executed.", n=batch.number))
    if batch.status != "witnessed":
        raise DomainError(_("The witness signs the batch before it is executed."))
    if not may_sign(signer, batch, "destruction.execute"):
        raise DomainError(_("You cannot execute this batch."), "password")
    if batch.witness_id == signer.id:
        raise DomainError(_("The witness cannot also be the responsible person; another "
                            "person executes the batch."), "password")
    if batch.place_kind == "site" and batch.site_certificate_id is None:
        raise DomainError(_("Upload the hospital's own certificate of destruction first."),
                          "document")
    if not valid_on(batch.authorisation, batch.destroyed_on):
        raise DomainError(_("Authorisation %(ref)s is not valid on the date of destruction.",
                            ref=batch.authorisation.reference))
    covered = covered_kits(session, batch, free_only=False).with_only_columns(Kit.id) \
        .order_by(None)
    # Still pending, still covered: re-checked here, inside the executing transaction.
    bad = first_uncovered(session, batch, "kit", DestructionItem.kit_id, covered)
    if bad is not None:
        raise DomainError(explain_refusal(session, batch, bad))
    batch_devices.check_devices(session, batch)


def execute(session, batch, *, signer, password):
    """Sign as the responsible person; every kit and device to destroyed, all or nothing."""
    check_executable(session, batch, signer)
    try:
        signature = sign(session, batch, meaning="performed", signer=signer,
                         password=password)
    except (OperationalError, IntegrityError) as error:
        raise _signing_conflict(batch) from error
    try:
        apply_transition(session, BATCH, batch, "execute", by=signer, signature=signature,
                         values={"executed_by_id": signer.id,
                                 "certificate_number": next_number(
                                     session, "CD", DestructionBatch.certificate_number)})
    except OperationalError as error:
        raise _signing_conflict(batch) from error
    # Plain rows, not Kit objects: thousands of kits load in a fraction of the time.
    kits = session.execute(
        select(Kit.id, Kit.kit_number, Kit.state, Kit.location_id, Kit.trial_id, Kit.lot_id,
               Kit.product_id)
        .join(DestructionItem, DestructionItem.kit_id == Kit.id)
        .where(DestructionItem.batch_id == batch.id, DestructionItem.kind == "kit")).all()
    try:
        if kits:
            move_kits_in_bulk(session, kits, "destroyed", "destruction", by=signer,
                              document_ref=batch.number,
                              occurred_at=min(utcnow(), _end_of(batch)))
        batch_devices.destroy_devices(session, batch, by=signer)
    except DomainError as error:
        raise DomainError(str(error)) from error
    return signature


def _end_of(batch):
    from datetime import UTC, datetime, time

    return datetime.combine(batch.destroyed_on, time(23, 59, 59), tzinfo=UTC)
