"""The reimbursement domain's public entry point for other domains (read only)."""

from sqlalchemy import select

from app.reimbursement.models import CLAIM_STATUSES, RELATIONS, Claim, PatientLink


def stay_claims_of(session, subject_id):
    """Return the subject's claims for stays (patient and caregiver), oldest stay first.

    Each is a dict: reference, claimant_relation (label), stay_start, stay_end, status,
    status_label, total_claimed, total_approved, claim_id.
    """
    claims = session.scalars(select(Claim).where(
        Claim.subject_id == subject_id, Claim.stay_start.is_not(None))
        .order_by(Claim.stay_start, Claim.id)).all()
    relations = dict(session.execute(select(PatientLink.user_id, PatientLink.relation).where(
        PatientLink.subject_id == subject_id)).all())
    return [{"claim_id": c.id, "reference": c.reference,
             "claimant_relation": RELATIONS.get(relations.get(c.claimant_id), ""),
             "stay_start": c.stay_start, "stay_end": c.stay_end, "status": c.status,
             "status_label": CLAIM_STATUSES.get(c.status, c.status),
             "total_claimed": c.total_claimed, "total_approved": c.total_approved}
            for c in claims]
