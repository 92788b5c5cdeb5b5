"""Claims as the patient (or site staff for them) writes them: draft, lines, receipts, submit."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.audit.services import record_event
from app.core.models import utcnow
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.models import CATEGORIES, Claim, ClaimLine, PatientLink, Receipt
from app.reimbursement.policy import cents, computed_amount, needs_quantity, policy_for
from app.reimbursement.receipts import store_receipt
from app.reimbursement.steps import record_step

MAX_LINE_AMOUNT = Decimal("10000.00")
MAX_LINES = 60
EDITABLE = ("draft",)


def link_of(session, user):
    """Return the PatientLink of a portal account, or None."""
    return session.scalar(select(PatientLink).where(PatientLink.user_id == user.id))


def claimants_of(session, subject):
    """Return the portal accounts that may claim for a subject."""
    return session.scalars(select(PatientLink).where(PatientLink.subject_id == subject.id)
                           .order_by(PatientLink.relation)).all()


def create_claim(session, *, subject, claimant, entered_by, visit=None, stay_start=None,
                 stay_end=None, creation_token=None):
    """Open a draft claim for a visit or a stay; a repeated token returns the first claim."""
    if creation_token:
        existing = session.scalar(select(Claim).where(Claim.creation_token == creation_token))
        if existing is not None:
            if existing.entered_by_id != entered_by.id:
                raise ReimbursementError(_("This form was already used. Start again."))
            return existing
    link = link_of(session, claimant)
    if link is None or link.subject_id != subject.id:
        raise ReimbursementError(_("This person cannot claim for this subject."))
    if visit is None and stay_start is None:
        raise ReimbursementError(_("Choose the visit or the dates of your stay."), field="visit")
    if visit is not None and visit.trial_id != subject.trial_id:
        raise ReimbursementError(_("Choose one of the visits of your trial."), field="visit")
    if stay_start is not None:
        stay_end = stay_end or stay_start
        if stay_end < stay_start:
            raise ReimbursementError(_("The stay cannot end before it starts."),
                                     field="stay_end")
        _check_date(subject, stay_start, "stay_start")
        _check_date(subject, stay_end, "stay_end")
        visit = None
    claim = Claim(subject_id=subject.id, subject=subject, site_id=subject.site_id,
                  claimant_id=claimant.id, claimant=claimant, visit=visit,
                  stay_start=stay_start, stay_end=stay_end if stay_start else None,
                  entered_by_id=entered_by.id, on_behalf=entered_by.id != claimant.id,
                  creation_token=creation_token, status="draft")
    session.add(claim)
    session.flush()
    return claim


def _check_date(subject, value, field):
    if value > date.today():
        raise ReimbursementError(_("The date cannot be in the future."), field=field)
    if subject.enrolment_date and value < subject.enrolment_date:
        raise ReimbursementError(
            _("The date cannot be before you joined the trial (%(date)s).",
              date=subject.enrolment_date.isoformat()), field=field)


MAX_TYPED_NUMBER = Decimal("1e9")


def _decimal(value, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        raise ReimbursementError(_("Type a number, for example 12,50."), field=field) from None
    # "1e400" is a finite Decimal that no amount column (nor quantize) can hold.
    if not number.is_finite() or abs(number) >= MAX_TYPED_NUMBER:
        raise ReimbursementError(_("Type a number, for example 12,50."), field=field)
    return number


def ensure_editable(claim):
    """Refuse changes once a claim has left the draft state."""
    if claim.status not in EDITABLE:
        raise ReimbursementError(_("This claim has been submitted and can no longer be changed."))


def add_line(session, claim, *, category, line_date, description, amount=None, quantity=None):
    """Add an expense line after checking it against the trial's policy."""
    ensure_editable(claim)
    if len(claim.lines) >= MAX_LINES:
        raise ReimbursementError(_("A claim can have at most %(n)d lines.", n=MAX_LINES))
    policy = policy_for(session, claim.subject.trial)
    rule = policy.rule(category)
    if category not in CATEGORIES or rule is None or not rule.allowed:
        raise ReimbursementError(_("This kind of expense is not paid in this trial."),
                                 field="category")
    if line_date is None:
        raise ReimbursementError(_("Give the date of the expense."), field="line_date")
    _check_date(claim.subject, line_date, "line_date")
    description = (description or "").strip()
    if not description:
        raise ReimbursementError(_("Describe the expense in a few words."), field="description")
    amount = _decimal(amount, "amount")
    quantity = _decimal(quantity, "quantity")
    if needs_quantity(policy, category):
        if quantity is None or quantity <= 0:
            field_message = (_("Give the kilometres travelled (more than 0).")
                             if category == "car_mileage" else
                             _("Give the number of days or nights (more than 0)."))
            raise ReimbursementError(field_message, field="quantity")
        if category == "car_mileage" and quantity > policy.max_km_per_trip:
            raise ReimbursementError(
                _("%(km)s km is more than the %(max)s km allowed for one trip. Check the "
                  "number or split the journey into trips.", km=quantity,
                  max=policy.max_km_per_trip), field="quantity")
        if category != "car_mileage" and quantity > 366:
            raise ReimbursementError(_("Give at most 366 days or nights."), field="quantity")
    else:
        quantity = None
        if amount is None or amount <= 0:
            raise ReimbursementError(_("The amount must be more than 0."), field="amount")
    value = computed_amount(policy, category, quantity, amount)
    if value <= 0:
        raise ReimbursementError(_("The amount must be more than 0."), field="amount")
    if value > MAX_LINE_AMOUNT:
        raise ReimbursementError(_("The amount is too large for one expense."), field="amount")
    line = ClaimLine(claim=claim, category=category, kind=rule.kind, line_date=line_date,
                     description=description[:300], quantity=quantity, amount=value)
    session.add(line)
    session.flush()
    claim.total_claimed = sum((ln.amount for ln in claim.lines), Decimal("0.00"))
    return line


def remove_line(session, claim, line):
    """Delete a line of a draft claim (with its receipt links)."""
    ensure_editable(claim)
    if line.claim_id != claim.id:
        raise ReimbursementError(_("This line is not part of the claim."))
    for receipt in list(line.receipts):
        session.delete(receipt)
    claim.lines.remove(line)
    session.delete(line)
    session.flush()
    claim.total_claimed = sum((ln.amount for ln in claim.lines), Decimal("0.00"))


def attach_receipt(session, line, data, original_name, by):
    """Attach a receipt to a line: while a draft, or after submission when the site asked."""
    claim = line.claim
    late = claim.status != "draft"
    if late and not (line.receipt_requested and claim.status in ("submitted", "validated")):
        raise ReimbursementError(_("This claim has been submitted; add a receipt only when "
                                   "the site asks for it."))
    if len(line.receipts) >= 10:
        raise ReimbursementError(_("A line can have at most 10 receipts."))
    stored, original_sha = store_receipt(session, data, original_name, by)
    receipt = Receipt(line=line, file_id=stored.id, file=stored, file_sha256=stored.sha256,
                      original_sha256=original_sha, uploaded_by_id=by.id,
                      after_submission=late)
    session.add(receipt)
    if late:
        line.receipt_requested = False
    session.flush()
    return receipt


def submit_claim(session, claim, by, *, declaration):
    """Move a draft to submitted once (a second click finds it submitted and changes nothing)."""
    if not declaration:
        raise ReimbursementError(_("Confirm the declaration to send the claim."),
                                 field="declaration")
    ensure_editable(claim)
    if not claim.lines:
        raise ReimbursementError(_("Add at least one expense before sending."))
    total = sum((ln.amount for ln in claim.lines), Decimal("0.00"))
    now = utcnow()
    result = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.status == "draft")
        .values(status="submitted", submitted_at=now, submitted_by_id=by.id,
                declaration_accepted=True, total_claimed=cents(total))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ReimbursementError(_("This claim has been submitted and can no longer be changed."))
    record_event(session, "claim_submitted", "claim", claim.id, label=claim.reference,
                 changes={"status": ("draft", "submitted")})
    session.refresh(claim)
    record_step(session, claim, "submitted", by)
    return claim


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
