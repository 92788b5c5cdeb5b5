"""Payment batches: build from approved claims, release by a second person, pay once."""

import secrets
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.services import record_event
from app.core.models import utcnow
from app.esign.services import sign
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.models import BankAccount, BatchItem, Claim, ClaimLine, PaymentBatch
from app.reimbursement.steps import record_step

MAX_BATCH = 10000


def new_message_id():
    """Return a fresh pain.001 message id (unique in the table as well)."""
    return f"ENS-RB-{utcnow():%Y%m%d}-{secrets.token_hex(6).upper()}"


def create_batch(session, claim_ids, by, execution_date=None):
    """Put approved claims into a new batch; a claim already batched is refused."""
    if not by.can("reimbursement.pay"):
        raise ReimbursementError(_("Only finance can build payment batches."))
    ids = sorted({int(i) for i in claim_ids})
    if not ids:
        raise ReimbursementError(_("Choose at least one approved claim."), field="claims")
    if len(ids) > MAX_BATCH:
        raise ReimbursementError(_("A batch can hold at most %(n)d claims.", n=MAX_BATCH))
    execution_date = execution_date or date.today()
    if execution_date < date.today():
        raise ReimbursementError(_("The execution date cannot be in the past."),
                                 field="execution_date")
    claims = session.scalars(select(Claim).where(Claim.id.in_(ids)).options(
        selectinload(Claim.lines).selectinload(ClaimLine.receipts))).all()
    accounts = {a.user_id: a for a in session.scalars(
        select(BankAccount).where(BankAccount.user_id.in_({c.claimant_id for c in claims})))}
    for claim in claims:
        if claim.status != "approved":
            raise ReimbursementError(_("Claim %(ref)s is not waiting for payment.",
                                       ref=claim.reference), field="claims")
        if claim.claimant_id not in accounts:
            raise ReimbursementError(_("Claim %(ref)s has no bank details for its payee.",
                                       ref=claim.reference), field="claims")
    if len(claims) != len(ids):
        raise ReimbursementError(_("Some chosen claims do not exist."), field="claims")
    moved = session.execute(
        update(Claim).where(Claim.id.in_(ids), Claim.status == "approved")
        .values(status="in_batch").execution_options(synchronize_session=False))
    if moved.rowcount != len(ids):
        raise ReimbursementError(_("Some claims were put into another batch meanwhile. "
                                   "Reload the page and choose again."), field="claims")
    total = sum((c.total_approved for c in claims), Decimal("0.00"))
    batch = PaymentBatch(message_id=new_message_id(), status="draft",
                         execution_date=execution_date, total=total, count=len(claims),
                         created_by_id=by.id)
    session.add(batch)
    session.flush()
    for claim in claims:
        account = accounts[claim.claimant_id]
        session.add(BatchItem(batch_id=batch.id, claim_id=claim.id, amount=claim.total_approved,
                              payee_name=account.holder_name,
                              iban_encrypted=account.iban_encrypted,
                              iban_last4=account.iban_last4, bic=account.bic))
        record_event(session, "claim_in_batch", "claim", claim.id, label=claim.reference,
                     changes={"status": ("approved", "in_batch"),
                              "batch": (None, batch.message_id)})
    session.flush()
    for claim in claims:
        # The UPDATE above changed the row; tell the identity map without a reload.
        set_committed_value(claim, "status", "in_batch")
        record_step(session, claim, "in_batch", by, note=batch.message_id)
    return batch


def release_batch(session, batch, by, password):
    """Sign the release ("Released") as a second finance user; raises SigningError."""
    if not by.can("reimbursement.pay"):
        raise ReimbursementError(_("Only finance can release payment batches."))
    if by.id == batch.created_by_id:
        raise ReimbursementError(_("Someone other than the person who built the batch must "
                                   "release it."))
    if batch.status != "draft":
        raise ReimbursementError(_("This batch has already been released."))
    sign(session, batch, meaning="released", signer=by, password=password)
    result = session.execute(
        update(PaymentBatch).where(PaymentBatch.id == batch.id, PaymentBatch.status == "draft")
        .values(status="released", released_by_id=by.id, released_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ReimbursementError(_("This batch has already been released."))
    record_event(session, "batch_released", "payment_batch", batch.id, label=batch.message_id,
                 changes={"status": ("draft", "released")})
    session.refresh(batch)
    return batch


def mark_batch_paid(session, batch, by):
    """Mark a released batch and all its claims paid, exactly once."""
    if not by.can("reimbursement.pay"):
        raise ReimbursementError(_("Only finance can mark batches paid."))
    now = utcnow()
    result = session.execute(
        update(PaymentBatch).where(PaymentBatch.id == batch.id,
                                   PaymentBatch.status == "released")
        .values(status="paid", paid_by_id=by.id, paid_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        if batch.status == "paid":
            raise ReimbursementError(_("This batch has already been paid."))
        raise ReimbursementError(_("Release the batch before marking it paid."))
    record_event(session, "batch_paid", "payment_batch", batch.id, label=batch.message_id,
                 changes={"status": ("released", "paid")})
    claim_ids = select(BatchItem.claim_id).where(BatchItem.batch_id == batch.id)
    session.execute(update(Claim).where(Claim.id.in_(claim_ids), Claim.status == "in_batch")
                    .values(status="paid", paid_at=now)
                    .execution_options(synchronize_session=False))
    session.refresh(batch)
    claims = session.scalars(select(Claim).where(Claim.id.in_(claim_ids)).options(
        selectinload(Claim.lines).selectinload(ClaimLine.receipts))).all()
    for claim in claims:
        set_committed_value(claim, "status", "paid")
        set_committed_value(claim, "paid_at", now)
        record_event(session, "claim_paid", "claim", claim.id, label=claim.reference,
                     changes={"status": ("in_batch", "paid")})
        record_step(session, claim, "paid", by, note=batch.message_id)
    return batch
