"""Who sees which claims: patients their own, site staff their sites, finance all."""

from sqlalchemy import select

from app.reimbursement.models import Claim, PatientLink, Receipt


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
