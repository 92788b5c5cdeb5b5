"""Who sees which claims: patients their own, site staff their sites, finance all."""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.reimbursement.models import BankAccount, Claim, ClaimLine, PatientLink, Receipt


def staff_claims(user):
    """Return a select of the claims a staff user may see (site staff: their sites)."""
    stmt = select(Claim)
    if user.is_site_scoped:
        stmt = stmt.where(Claim.site_id.in_(user.site_ids))
    return stmt


def my_claims(user):
    """Return a select of the claims a portal user made."""
    return select(Claim).where(Claim.claimant_id == user.id)


def my_claim(session, user, claim_id):
    """Return the portal user's claim or None."""
    return session.scalar(my_claims(user).where(Claim.id == claim_id))


def staff_claim(session, user, claim_id):
    """Return a claim within the staff user's scope or None."""
    return session.scalar(staff_claims(user).where(Claim.id == claim_id))


def receipt_of_claim(session, claim, receipt_id):
    """Return a receipt belonging to the claim or None."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or receipt.line.claim_id != claim.id:
        return None
    return receipt


def link_for_user(session, user):
    """Return the portal account's link to its subject or None."""
    return session.scalar(select(PatientLink).where(PatientLink.user_id == user.id))


def claimants_of(session, subject):
    """Return the portal accounts that may claim for a subject."""
    return session.scalars(select(PatientLink).where(PatientLink.subject_id == subject.id)
                           .order_by(PatientLink.relation)).all()


def month_total(session, subject_id, year, month, exclude_claim_id=None):
    """Return what a subject has claimed in a month outside drafts and rejections."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    stmt = (select(func.coalesce(func.sum(ClaimLine.amount), 0)).join(Claim)
            .where(Claim.subject_id == subject_id,
                   Claim.status.not_in(("draft", "rejected")),
                   ClaimLine.line_date >= start, ClaimLine.line_date < end))
    if exclude_claim_id:
        stmt = stmt.where(Claim.id != exclude_claim_id)
    return Decimal(session.scalar(stmt) or 0)


def bank_account_of(session, user_id):
    """Return the bank account a portal user is paid into, or None."""
    return session.scalar(select(BankAccount).where(BankAccount.user_id == user_id))


WAITING_LIMIT = 500


def claims_waiting_for_payment(session, limit=WAITING_LIMIT):
    """Return (claim, bank account id or None) of approved claims, oldest approval first."""
    return session.execute(
        select(Claim, BankAccount.id).outerjoin(BankAccount,
                                                BankAccount.user_id == Claim.claimant_id)
        .where(Claim.status == "approved").order_by(Claim.approved_at, Claim.id)
        .limit(limit)).all()


def filtered_claims(user, args):
    """Return the claims the staff user sees, narrowed by status, site and trial filters."""
    from werkzeug.datastructures import MultiDict

    from app.reimbursement.models import CLAIM_STATUSES
    from app.trials.api import Site

    args = args if isinstance(args, MultiDict) else MultiDict(args)
    stmt = staff_claims(user)
    status = args.get("status")
    if status in CLAIM_STATUSES:
        stmt = stmt.where(Claim.status == status)
    site = args.get("site", type=int)
    if site:
        stmt = stmt.where(Claim.site_id == site)
    trial = args.get("trial", type=int)
    if trial:
        stmt = stmt.where(Claim.site_id.in_(select(Site.id).where(Site.trial_id == trial)))
    return stmt
