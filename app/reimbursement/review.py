"""Site validation and finance approval, line by line, and the flags that guide them."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select, update

from app.audit.services import record_event
from app.core.models import utcnow
from app.reimbursement.claims import month_total
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.models import Claim, ClaimLine, Receipt
from app.reimbursement.policy import cents, policy_for
from app.reimbursement.steps import record_step, tell_receipt_requested

FLAG_LABELS = {
    "over_line_cap": _l("Over the cap per expense"),
    "over_visit_cap": _l("Claim over the cap per visit"),
    "over_month_cap": _l("Month over the monthly cap"),
    "over_night_rate": _l("Over the amount per night"),
    "receipt_missing": _l("Receipt missing"),
    "receipt_reused": _l("Same receipt file already used"),
    "far_from_visit": _l("Dated far from the visit"),
    "duplicate_line": _l("Possible duplicate"),
}


@dataclass
class ClaimFlags:
    """Flags raised on a claim as a whole and on each of its lines."""

    claim: list = field(default_factory=list)
    lines: dict = field(default_factory=dict)

    @property
    def count(self):
        return len(self.claim) + sum(len(v) for v in self.lines.values())


def flags_for(session, claim):
    """Return the system's flags for a claim (caps, receipts, dates, duplicates)."""
    policy = policy_for(session, claim.subject.trial)
    result = ClaimFlags()
    total = sum((ln.amount for ln in claim.lines), Decimal("0"))
    if policy.cap_per_visit and total > policy.cap_per_visit:
        result.claim.append("over_visit_cap")
    months = {(ln.line_date.year, ln.line_date.month) for ln in claim.lines}
    for year, month in sorted(months):
        own = sum((ln.amount for ln in claim.lines
                   if (ln.line_date.year, ln.line_date.month) == (year, month)), Decimal("0"))
        if policy.cap_per_month and own + month_total(
                session, claim.subject_id, year, month, exclude_claim_id=claim.id) \
                > policy.cap_per_month:
            result.claim.append("over_month_cap")
            break
    expected = _expected_visit_date(claim)
    for line in claim.lines:
        flags = []
        rule = policy.rule(line.category)
        if policy.cap_per_line and line.amount > policy.cap_per_line:
            flags.append("over_line_cap")
        if line.category == "lodging" and line.kind == "actual_cost":
            nights = line.quantity or 1
            if line.amount > policy.per_night_amount * nights:
                flags.append("over_night_rate")
        if rule is not None and rule.needs_receipt(line.amount) and not line.receipts:
            flags.append("receipt_missing")
        if line.receipts and _receipt_reused(session, line):
            flags.append("receipt_reused")
        if _far_from_visit(claim, line, expected, policy.days_from_visit):
            flags.append("far_from_visit")
        if _duplicate(session, claim, line):
            flags.append("duplicate_line")
        result.lines[line.id] = flags
    return result


def _expected_visit_date(claim):
    if claim.visit is None or claim.subject.enrolment_date is None:
        return None
    return claim.subject.enrolment_date + timedelta(days=claim.visit.day_offset)


def _far_from_visit(claim, line, expected, days):
    if claim.stay_start is not None:
        return not (claim.stay_start - timedelta(days=1) <= line.line_date
                    <= (claim.stay_end or claim.stay_start) + timedelta(days=1))
    if expected is None:
        return False
    slack = timedelta(days=days + max(claim.visit.window_before, claim.visit.window_after))
    return abs(line.line_date - expected) > slack


def _receipt_reused(session, line):
    hashes = {r.original_sha256 for r in line.receipts} | {r.file_sha256 for r in line.receipts}
    ids = [r.id for r in line.receipts]
    other = session.scalar(
        select(Receipt.id).where(
            (Receipt.original_sha256.in_(hashes)) | (Receipt.file_sha256.in_(hashes)),
            Receipt.id.not_in(ids)).limit(1))
    return other is not None


def _duplicate(session, claim, line):
    for other in claim.lines:
        if other.id != line.id and (other.category, other.line_date, other.amount) == (
                line.category, line.line_date, line.amount):
            return True
    other = session.scalar(
        select(ClaimLine.id).join(Claim).where(
            Claim.subject_id == claim.subject_id, Claim.id != claim.id,
            Claim.status.not_in(("draft", "rejected")),
            and_(ClaimLine.category == line.category, ClaimLine.line_date == line.line_date,
                 ClaimLine.amount == line.amount)).limit(1))
    return other is not None


def can_validate(user, claim):
    """Return True when the user is site staff of the claim's site."""
    return user.can("reimbursement.validate") and claim.site_id in user.site_ids


def _apply_decisions(lines, decisions, *, base, decision_attr, amount_attr, reason_attr):
    """Set decision, amount and reason on each line; return the new total."""
    total = Decimal("0.00")
    for line in lines:
        ceiling = base(line)
        if ceiling is None:  # rejected earlier: stays rejected
            setattr(line, decision_attr, "rejected")
            setattr(line, amount_attr, Decimal("0.00"))
            setattr(line, reason_attr, getattr(line, reason_attr) or line.site_reason)
            continue
        decision, amount, reason = decisions.get(line.id, ("approved", None, None))
        reason = (reason or "").strip() or None
        if decision == "approved":
            value = ceiling
        elif decision == "reduced":
            if amount is None or amount <= 0 or amount >= ceiling:
                raise ReimbursementError(
                    _("A reduced amount must be more than 0 and less than %(max)s.",
                      max=ceiling), field=f"amount_{line.id}")
            value = cents(amount)
        elif decision == "rejected":
            value = Decimal("0.00")
        else:
            raise ReimbursementError(_("Choose a decision for every line."),
                                     field=f"decision_{line.id}")
        if decision in ("reduced", "rejected") and not reason:
            raise ReimbursementError(_("Give the reason the patient will read."),
                                     field=f"reason_{line.id}")
        setattr(line, decision_attr, decision)
        setattr(line, amount_attr, value)
        setattr(line, reason_attr, reason)
        total += value
    return total


def _move(session, claim, old, new, **values):
    result = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.status == old)
        .values(status=new, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ReimbursementError(_("Someone else has changed this claim. Reload the page."))
    record_event(session, f"claim_{new}", "claim", claim.id, label=claim.reference,
                 changes={"status": (old, new), **{k: (None, v) for k, v in values.items()}})
    session.refresh(claim)


def validate_claim(session, claim, decisions, by):
    """Record the site's decision per line; the claim becomes validated (or rejected)."""
    if not can_validate(by, claim):
        raise ReimbursementError(_("Only staff of the claim's site can validate it."))
    if claim.status != "submitted":
        raise ReimbursementError(_("Only submitted claims can be validated."))
    if by.id == claim.claimant_id:
        raise ReimbursementError(_("You cannot validate your own claim."))
    total = _apply_decisions(claim.lines, decisions, base=lambda ln: ln.amount,
                             decision_attr="site_decision", amount_attr="site_amount",
                             reason_attr="site_reason")
    session.flush()
    new = "validated" if total > 0 else "rejected"
    _move(session, claim, "submitted", new, validated_at=utcnow(), validated_by_id=by.id,
          total_approved=total if new == "rejected" else None)
    record_step(session, claim, new, by)
    return claim


def check_approver(claim, by):
    """Refuse an approver who validated, submitted or entered the claim (four eyes)."""
    if not by.can("reimbursement.approve"):
        raise ReimbursementError(_("Only finance can approve claims."))
    if by.id in {claim.validated_by_id, claim.submitted_by_id, claim.entered_by_id,
                 claim.claimant_id}:
        raise ReimbursementError(_("You validated, submitted or entered this claim, so "
                                   "someone else in finance must approve it."))


def approve_claim(session, claim, decisions, by):
    """Record finance's decision per line; the claim becomes approved (or rejected)."""
    check_approver(claim, by)
    if claim.status != "validated":
        raise ReimbursementError(_("Only claims validated by the site can be approved."))
    total = _apply_decisions(
        claim.lines, decisions,
        base=lambda ln: None if ln.site_decision == "rejected" else ln.site_amount,
        decision_attr="finance_decision", amount_attr="approved_amount",
        reason_attr="finance_reason")
    session.flush()
    new = "approved" if total > 0 else "rejected"
    _move(session, claim, "validated", new, approved_at=utcnow(), approved_by_id=by.id,
          total_approved=total)
    record_step(session, claim, new, by)
    return claim


def request_receipt(session, claim, line, by, note):
    """Ask the claimant to add a missing receipt to a line of a submitted claim."""
    if not can_validate(by, claim):
        raise ReimbursementError(_("Only staff of the claim's site can ask for receipts."))
    if claim.status not in ("submitted", "validated") or line.claim_id != claim.id:
        raise ReimbursementError(_("Receipts can be asked for only while the claim is "
                                   "being checked."))
    line.receipt_requested = True
    line.receipt_request_note = (note or "").strip()[:300] or None
    session.flush()
    tell_receipt_requested(session, line)
    return line
