"""Payment batches: build from approved claims, release by a second person, pay once."""

import secrets
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.states import apply_transition, apply_transitions
from app.esign.services import sign
from app.reimbursement.models import BankAccount, BatchItem, Claim, ClaimLine, PaymentBatch
from app.reimbursement.services.timeline import record_step
from app.reimbursement.states import CLAIM, PAYMENT_BATCH

MAX_BATCH = 10000


def new_message_id():
    """Return a fresh pain.001 message id (unique in the table as well)."""
    return f"ENS-RB-{utcnow():%Y%m%d}-{secrets.token_hex(6).upper()}"


def _with_lines(stmt):
    return stmt.options(selectinload(Claim.lines).selectinload(ClaimLine.receipts))


def create_batch(session, claim_ids, by, execution_date=None):
    """Put approved claims into a new batch; a claim already batched is refused."""
    if not by.can("reimbursement.pay"):
        raise DomainError(_("Only finance can build payment batches."))
    ids = sorted({int(i) for i in claim_ids})
    if not ids:
        raise DomainError(_("Choose at least one approved claim."), field="claims")
    if len(ids) > MAX_BATCH:
        raise DomainError(_("A batch can hold at most %(n)d claims.", n=MAX_BATCH))
    execution_date = execution_date or clock.today()
    if execution_date < clock.today():
        raise DomainError(_("The execution date cannot be in the past."),
                          field="execution_date")
    claims = session.scalars(_with_lines(select(Claim).where(Claim.id.in_(ids)))).all()
    accounts = {a.user_id: a for a in session.scalars(
        select(BankAccount).where(BankAccount.user_id.in_({c.claimant_id for c in claims})))}
    for claim in claims:
        if claim.status != "approved":
            raise DomainError(_("Claim %(ref)s is not waiting for payment.",
                                ref=claim.reference), field="claims")
        if claim.claimant_id not in accounts:
            raise DomainError(_("Claim %(ref)s has no bank details for its payee.",
                                ref=claim.reference), field="claims")
    if len(claims) != len(ids):
        raise DomainError(_("Some chosen claims do not exist."), field="claims")
    message_id = new_message_id()
    # The claims move first, in one conditional UPDATE: of two users batching the same claim
    # at the same moment exactly one gets it (see tests/reimbursement/test_concurrency.py).
    apply_transitions(session, CLAIM, claims, "batch", by=by,
                      changes={"batch": (None, message_id)},
                      conflict=DomainError(_("Some claims were put into another batch "
                                             "meanwhile. Reload the page and choose again."),
                                           field="claims"))
    total = sum((c.total_approved for c in claims), Decimal("0.00"))
    batch = PaymentBatch(message_id=message_id, status="draft", execution_date=execution_date,
                         total=total, count=len(claims), created_by_id=by.id)
    session.add(batch)
    session.flush()
    attempts = dict(session.execute(select(BatchItem.claim_id, func.count()).where(
        BatchItem.claim_id.in_(ids)).group_by(BatchItem.claim_id)).all())
    for claim in claims:
        account = accounts[claim.claimant_id]
        session.add(BatchItem(batch_id=batch.id, claim_id=claim.id,
                              attempt=attempts.get(claim.id, 0), amount=claim.total_approved,
                              payee_name=account.holder_name,
                              iban_encrypted=account.iban_encrypted,
                              iban_last4=account.iban_last4, bic=account.bic))
    session.flush()
    for claim in claims:
        record_step(session, claim, "in_batch", by, note=batch.message_id)
    return batch


def release_batch(session, batch, by, password, comment=None):
    """Sign the release ("Released") as a second finance user; raises SigningError."""
    if not by.can("reimbursement.pay"):
        raise DomainError(_("Only finance can release payment batches."))
    if by.id == batch.created_by_id:
        raise DomainError(_("Someone other than the person who built the batch must "
                            "release it."))
    if batch.status != "draft":
        raise DomainError(_("This batch has already been released."))
    signature = sign(session, batch, meaning="released", signer=by, password=password,
                     comment=comment)
    apply_transition(session, PAYMENT_BATCH, batch, "release", by=by, signature=signature,
                     values={"released_by_id": by.id})
    return batch


def mark_batch_paid(session, batch, by, value_date=None, bank_reference=None):
    """Mark a released batch and all its claims paid, exactly once, with the bank's data."""
    if not by.can("reimbursement.pay"):
        raise DomainError(_("Only finance can mark batches paid."))
    if batch.status == "paid":
        raise DomainError(_("This batch has already been paid."))
    if batch.status == "draft":
        raise DomainError(_("Release the batch before marking it paid."))
    if value_date is not None and value_date < batch.execution_date:
        raise DomainError(_("The value date cannot be before the batch's execution date "
                            "(%(date)s).", date=format_date(batch.execution_date)),
                          "value_date")
    if value_date is not None and value_date > clock.today():
        raise DomainError(_("The value date cannot be in the future: copy it from the bank "
                            "statement once the transfers have been made."), "value_date")
    reference = (bank_reference or "").strip()[:35] or None
    apply_transition(session, PAYMENT_BATCH, batch, "pay", by=by,
                     values={"paid_by_id": by.id, "value_date": value_date,
                             "bank_reference": reference},
                     changes={"value_date": (None, value_date),
                              "bank_reference": (None, reference)})
    claims = session.scalars(_with_lines(
        select(Claim).where(Claim.id.in_(select(BatchItem.claim_id)
                                         .where(BatchItem.batch_id == batch.id))))
        .execution_options(populate_existing=True)).all()
    apply_transitions(session, CLAIM, claims, "pay", by=by, values={"paid_at": batch.paid_at})
    for claim in claims:
        record_step(session, claim, "paid", by, note=batch.message_id)
    return batch


def cancel_batch(session, batch, by, reason):
    """Cancel a prepared, unreleased batch with a reason; its claims wait for payment again.

    The batch and its items stay as they were (history); each claim leaves the batch
    through its own transition, so it may go into a new batch.
    """
    if not by.can("reimbursement.pay"):
        raise DomainError(_("Only finance can cancel payment batches."))
    if batch.status == "cancelled":
        raise DomainError(_("This batch has already been cancelled."))
    if batch.status != "draft":
        raise DomainError(_("A released batch cannot be cancelled: its transfers may already "
                            "be at the bank. Mark it paid, or ask the bank to recall it."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the batch is cancelled."), "reason")
    apply_transition(session, PAYMENT_BATCH, batch, "cancel", by=by, reason=reason,
                     values={"cancelled_by_id": by.id, "cancel_reason": reason})
    claims = session.scalars(_with_lines(
        select(Claim).where(Claim.id.in_(select(BatchItem.claim_id)
                                         .where(BatchItem.batch_id == batch.id))))
        .execution_options(populate_existing=True)).all()
    apply_transitions(session, CLAIM, claims, "unbatch", by=by, reason=reason,
                      changes={"batch": (batch.message_id, None)})
    for claim in claims:
        record_step(session, claim, "approved", by, note=batch.message_id, quiet=True)
    return batch
