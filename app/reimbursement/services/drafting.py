"""Claims as the patient (or site staff for them) writes them: draft, lines, receipts, submit."""

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.templating import local_date
from app.files.services import FileRefused
from app.reimbursement.models import CATEGORIES, Claim, ClaimLine, Receipt
from app.reimbursement.queries import link_for_user
from app.reimbursement.services.policy import cents, computed_amount, needs_quantity, policy_for
from app.reimbursement.services.receipts import store_receipt
from app.reimbursement.services.timeline import record_step
from app.reimbursement.states import CLAIM

MAX_LINE_AMOUNT = Decimal("10000.00")
MAX_LINES = 60
EDITABLE = ("draft",)


def open_claim(session, *, subject, claimant, entered_by, period, visit=None, stay_start=None,
               stay_end=None, creation_token=None):
    """Open the draft the new-claim form describes: a visit, or a stay from its first day."""
    if claimant is None:
        raise DomainError(_("Choose who is claiming."), field="claimant_id")
    if period == "stay":
        if not stay_start:
            raise DomainError(_("Give the first day of the stay."), field="stay_start")
        return create_claim(session, subject=subject, claimant=claimant, entered_by=entered_by,
                            stay_start=stay_start, stay_end=stay_end,
                            creation_token=creation_token)
    if visit is None:
        raise DomainError(_("Choose the visit."), field="visit_id")
    return create_claim(session, subject=subject, claimant=claimant, entered_by=entered_by,
                        visit=visit, creation_token=creation_token)


def create_claim(session, *, subject, claimant, entered_by, visit=None, stay_start=None,
                 stay_end=None, creation_token=None):
    """Open a draft claim for a visit or a stay; a repeated token returns the first claim."""
    if creation_token:
        existing = session.scalar(select(Claim).where(Claim.creation_token == creation_token))
        if existing is not None:
            if existing.entered_by_id != entered_by.id:
                raise DomainError(_("This form was already used. Start again."))
            return existing
    link = link_for_user(session, claimant)
    if link is None or link.subject_id != subject.id:
        raise DomainError(_("This person cannot claim for this subject."))
    if visit is None and stay_start is None:
        raise DomainError(_("Choose the visit or the dates of your stay."), field="visit_id")
    if visit is not None and visit.trial_id != subject.trial_id:
        raise DomainError(_("Choose one of the visits of your trial."), field="visit_id")
    if stay_start is not None:
        stay_end = stay_end or stay_start
        if stay_end < stay_start:
            raise DomainError(_("The stay cannot end before it starts."),
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
    if value > clock.today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    if subject.enrolment_date and value < subject.enrolment_date:
        raise DomainError(
            _("The date cannot be before you joined the trial (%(date)s).",
              date=local_date(subject.enrolment_date)), field=field)


MAX_TYPED_NUMBER = Decimal("1e9")


def _decimal(value, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        raise DomainError(_("Type a number, for example 12,50."), field=field) from None
    # "1e400" is a finite Decimal that no amount column (nor quantize) can hold.
    if not number.is_finite() or abs(number) >= MAX_TYPED_NUMBER:
        raise DomainError(_("Type a number, for example 12,50."), field=field)
    return number


def is_editable(claim):
    """Return True while the claim is a draft its writer may still change."""
    return claim.status in EDITABLE


def ensure_editable(claim):
    """Refuse changes once a claim has left the draft state."""
    if not is_editable(claim):
        raise DomainError(_("This claim has been submitted and can no longer be changed."))


def add_line(session, claim, *, category, line_date, description, amount=None, quantity=None):
    """Add an expense line after checking it against the trial's policy."""
    ensure_editable(claim)
    if len(claim.lines) >= MAX_LINES:
        raise DomainError(_("A claim can have at most %(n)d lines.", n=MAX_LINES))
    policy = policy_for(session, claim.subject.trial)
    rule = policy.rule(category)
    if category not in CATEGORIES or rule is None or not rule.allowed:
        raise DomainError(_("This kind of expense is not paid in this trial."),
                          field="category")
    if line_date is None:
        raise DomainError(_("Give the date of the expense."), field="line_date")
    _check_date(claim.subject, line_date, "line_date")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Describe the expense in a few words."), field="description")
    amount = _decimal(amount, "amount")
    quantity = _decimal(quantity, "quantity")
    if needs_quantity(policy, category):
        if quantity is None or quantity <= 0:
            field_message = (_("Give the kilometres travelled (more than 0).")
                             if category == "car_mileage" else
                             _("Give the number of days or nights (more than 0)."))
            raise DomainError(field_message, field="quantity")
        if category == "car_mileage" and quantity > policy.max_km_per_trip:
            raise DomainError(
                _("%(km)s km is more than the %(max)s km allowed for one trip. Check the "
                  "number or split the journey into trips.", km=quantity,
                  max=policy.max_km_per_trip), field="quantity")
        if category != "car_mileage" and quantity > 366:
            raise DomainError(_("Give at most 366 days or nights."), field="quantity")
    else:
        quantity = None
        if amount is None or amount <= 0:
            raise DomainError(_("The amount must be more than 0."), field="amount")
    value = computed_amount(policy, category, quantity, amount)
    if value <= 0:
        raise DomainError(_("The amount must be more than 0."), field="amount")
    if value > MAX_LINE_AMOUNT:
        raise DomainError(_("The amount is too large for one expense."), field="amount")
    line = ClaimLine(claim=claim, category=category, kind=rule.kind, line_date=line_date,
                     description=description[:300], quantity=quantity, amount=value)
    session.add(line)
    session.flush()
    claim.total_claimed = sum((ln.amount for ln in claim.lines), Decimal("0.00"))
    return line


def remove_line(session, claim, line):
    """Delete a line of a draft claim (with its receipt links)."""
    ensure_editable(claim)
    if line is None or line.claim_id != claim.id:
        raise DomainError(_("This line is not part of the claim."))
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
        raise DomainError(_("This claim has been submitted; add a receipt only when "
                                   "the site asks for it."))
    if len(line.receipts) >= 10:
        raise DomainError(_("A line can have at most 10 receipts."))
    try:
        stored, original_sha = store_receipt(session, data, original_name, by)
    except FileRefused as error:
        raise DomainError(str(error), field="receipt") from None
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
        raise DomainError(_("Confirm the declaration to send the claim."),
                          field="declaration")
    ensure_editable(claim)
    if not claim.lines:
        raise DomainError(_("Add at least one expense before sending."))
    total = sum((ln.amount for ln in claim.lines), Decimal("0.00"))
    apply_transition(session, CLAIM, claim, "submit", by=by,
                     values={"submitted_by_id": by.id, "declaration_accepted": True,
                             "total_claimed": cents(total)})
    record_step(session, claim, "submitted", by)
    return claim
