"""The flags that guide the site and finance: caps, receipts, dates, duplicates."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from app.reimbursement.models import Claim, ClaimLine, Receipt
from app.reimbursement.queries import month_total
from app.reimbursement.services.policy import policy_or_default

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
    policy = policy_or_default(session, claim.subject.trial)
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
