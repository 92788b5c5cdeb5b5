"""Who sees which claims: patients their own, site staff their sites, finance all."""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import abort
from sqlalchemy import func, select

from app.core import clock
from app.reimbursement.models import BankAccount, Claim, ClaimLine, PatientLink, Receipt


def staff_claims(user, permission=None):
    """Return a select of the claims the permission reaches (site staff: their sites).

    Without a permission: reimbursement.view for those who open claims, else the totals.
    """
    if permission is None:
        permission = ("reimbursement.view" if user.can("reimbursement.view")
                      else "reimbursement.totals")
    stmt = select(Claim)
    scope = user.site_scope(permission)
    if scope is not None:
        stmt = stmt.where(Claim.site_id.in_(scope))
    return stmt


def my_claims(user):
    """Return a select of the claims a portal user made."""
    return select(Claim).where(Claim.claimant_id == user.id)


def my_claim(session, user, claim_id):
    """Return the portal user's claim or None."""
    return session.scalar(my_claims(user).where(Claim.id == claim_id))


def staff_claim(session, user, claim_id, permission="reimbursement.view"):
    """Return a claim the permission reaches or None."""
    return session.scalar(staff_claims(user, permission).where(Claim.id == claim_id))


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


# Which stamp says since when a claim waits, per state waited in.
WAITING_SINCE = {"submitted": Claim.submitted_at, "validated": Claim.validated_at}


def claims_waiting(session, today, days, status):
    """Return AlertItems: claims in ``status`` for more than ``days`` days.

    Keyed by claim, state and the stamp, so a claim sent back and waiting again is told again.
    """
    from datetime import datetime, timedelta

    from flask import url_for

    from app.core.domains import AlertItem

    since = WAITING_SINCE[status]
    limit = datetime.combine(today - timedelta(days=days), datetime.min.time(), tzinfo=UTC)
    found = session.scalars(select(Claim).where(Claim.status == status, since < limit)
                            .order_by(Claim.id)).all()
    return [AlertItem(key=f"{claim.id}:{status}:{getattr(claim, since.key).isoformat()}",
                      site_id=claim.site_id,
                      link=url_for("reimbursement.show_claim", claim_id=claim.id, _external=False),
                      params=dict(reference=claim.reference,
                                  since=getattr(claim, since.key).date()))
            for claim in found]


def validation_waiting(session, today, days):
    """Return claims submitted and not validated for more than days (the site's)."""
    return claims_waiting(session, today, days, "submitted")


def approval_waiting(session, today, days):
    """Return claims validated and not approved for more than days (finance's)."""
    return claims_waiting(session, today, days, "validated")


# -- work queues and the chart of the home page ------------------------------------------------
def batches_filtered(args, user):
    """Return a select of the payment batches, narrowed by ``status`` when it is known (and,
    for an account limited to some sponsors, to batches holding only their trials' claims)."""
    from app.reimbursement.models import BATCH_STATUSES, PaymentBatch

    stmt = select(PaymentBatch)
    sites = user.sponsor_sites()
    if sites is not None:
        stmt = stmt.where(~PaymentBatch.id.in_(foreign_batches(sites)))
    if args.get("status") in BATCH_STATUSES:
        stmt = stmt.where(PaymentBatch.status == args.get("status"))
    return stmt


def foreign_batches(sites):
    """Return a select of the ids of batches holding a claim of a site not in ``sites``."""
    from app.reimbursement.models import BatchItem

    return select(BatchItem.batch_id).join(Claim, Claim.id == BatchItem.claim_id).where(
        Claim.site_id.notin_(sites or {0}))


def batch_or_404(session, user, batch_id):
    """Return the payment batch when the user may see every claim in it, else answer 404."""
    from app.core.queries import get_or_404
    from app.reimbursement.models import PaymentBatch

    batch = get_or_404(PaymentBatch, batch_id)
    sites = user.sponsor_sites()
    if sites is not None and session.scalar(
            select(func.count()).where(PaymentBatch.id == batch.id,
                                       PaymentBatch.id.in_(foreign_batches(sites)))):
        abort(404)
    return batch


def count_of(session, stmt):
    """Return the row count of a select."""
    return session.scalar(select(func.count()).select_from(stmt.subquery()))


def claims_in_state(session, user, status):
    """Return how many claims in the state the user's queue (its sites) lists."""
    return count_of(session, staff_claims(user).where(Claim.status == status))


def batches_in_state(session, user, status):
    """Return how many payment batches the user sees are in the state."""
    from werkzeug.datastructures import MultiDict

    return count_of(session, batches_filtered(MultiDict({"status": status}), user))


def claims_by_month(session, user, months=12, today=None):
    """Return the claims submitted per month and current state, the last months (a chart)."""
    from app.reimbursement.models import CLAIM_STATUSES

    today = today or clock.today()
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    first = datetime.combine(date(year, month, 1), datetime.min.time(), tzinfo=UTC)
    labels = []
    y, m = year, month
    for _ in range(months):
        labels.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    counts = {}
    for status, submitted in session.execute(
            staff_claims(user).with_only_columns(Claim.status, Claim.submitted_at)
            .where(Claim.submitted_at >= first)):
        key = (status, submitted.strftime("%Y-%m"))
        counts[key] = counts.get(key, 0) + 1
    colours = {"submitted": "#0d6efd", "validated": "#6f42c1", "approved": "#198754",
               "in_batch": "#20c997", "paid": "#146c43", "rejected": "#dc3545",
               "draft": "#6c757d"}
    datasets = [{"label": str(label), "color": colours[status],
                 "data": [counts.get((status, month), 0) for month in labels]}
                for status, label in CLAIM_STATUSES.items()
                if status != "draft" and any(counts.get((status, m)) for m in labels)]
    return {"labels": labels, "datasets": datasets}


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


def exported_claims(user, args):
    """Return the claims of the list as filtered and searched on screen (the Excel holds the
    rows the user saw): the filters, and ?q= over the subject code as the list searches it."""
    from app.core.listing import search_filter
    from app.trials.api import Subject

    stmt = filtered_claims(user, args)
    q = (args.get("q") or "").strip()[:100]
    if q:
        stmt = stmt.where(Claim.subject_id.in_(
            select(Subject.id).where(search_filter(q, Subject.code))))
    return stmt
