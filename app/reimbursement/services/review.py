"""Site validation and finance approval, line by line (a claim's review)."""

from decimal import Decimal, InvalidOperation

from flask_babel import format_currency
from flask_babel import gettext as _

from app.core.errors import DomainError, FieldErrors
from app.core.models import utcnow
from app.core.states import apply_transition, check_transition
from app.reimbursement.services.policy import cents
from app.reimbursement.services.timeline import record_step, tell_receipt_requested
from app.reimbursement.states import CLAIM


def can_validate(user, claim):
    """Return True when the user is site staff of the claim's site."""
    return user.can("reimbursement.validate") and claim.site_id in user.site_ids


def _apply_decisions(lines, decisions, *, base, decision_attr, amount_attr, reason_attr):
    """Set decision, amount and reason on each line; return the new total."""
    total = Decimal("0.00")
    errors = []
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
                errors.append((f"amount_{line.id}", _(
                    "A reduced amount must be more than 0 and less than %(max)s.",
                    max=format_currency(ceiling, "EUR"))))
                amount = ceiling
            value = cents(amount)
        elif decision == "rejected":
            value = Decimal("0.00")
        else:
            errors.append((f"decision_{line.id}", _("Choose a decision for every line.")))
            value = Decimal("0.00")
        if decision in ("reduced", "rejected") and not reason:
            errors.append((f"reason_{line.id}", _("Give the reason the patient will read.")))
        setattr(line, decision_attr, decision)
        setattr(line, amount_attr, value)
        setattr(line, reason_attr, reason)
        total += value
    if errors:  # every problem at once, each beside its line
        raise FieldErrors(errors)
    return total


APPROVE_ALL = "approve_all"


def read_decisions(claim, data, *, explicit=False):
    """Return {line id: (decision, amount, reason)} from the review form's raw fields.

    With explicit (finance's approval) a line without a decision is not approved by default:
    it needs its own decision or the form's "approve every line" choice.
    """
    decisions = {}
    approve_all = data.get(APPROVE_ALL) in ("y", "on", "1", "true")
    for line in claim.lines:
        decision = data.get(f"decision_{line.id}") or (
            "approved" if approve_all or not explicit else None)
        raw = (data.get(f"amount_{line.id}") or "").replace(",", ".").strip()
        try:
            amount = Decimal(raw) if raw else None
        except InvalidOperation:
            raise DomainError(_("Type a number, for example 12,50."),
                              field=f"amount_{line.id}") from None
        decisions[line.id] = (decision, amount, (data.get(f"reason_{line.id}") or "")[:500])
    return decisions


def _decide(session, claim, by, total, *, passed, who, when):
    """Move the claim on (or to rejected when nothing is left to pay) and add the step."""
    event = passed if total > 0 else "reject"
    values = {who: by.id, when: utcnow()}
    if event == "reject" or passed == "approve":
        values["total_approved"] = total
    apply_transition(session, CLAIM, claim, event, by=by, values=values)
    record_step(session, claim, claim.status, by)
    return claim


def validate_claim(session, claim, decisions, by):
    """Record the site's decision per line; the claim becomes validated (or rejected)."""
    if not can_validate(by, claim):
        raise DomainError(_("Only staff of the claim's site can validate it."))
    check_transition(CLAIM, claim, "validate", by=by)
    if by.id == claim.claimant_id:
        raise DomainError(_("You cannot validate your own claim."))
    total = _apply_decisions(claim.lines, decisions, base=lambda ln: ln.amount,
                             decision_attr="site_decision", amount_attr="site_amount",
                             reason_attr="site_reason")
    session.flush()
    return _decide(session, claim, by, total, passed="validate", who="validated_by_id",
                   when="validated_at")


def check_approver(claim, by):
    """Refuse an approver who validated, submitted or entered the claim (four eyes)."""
    if not by.can("reimbursement.approve"):
        raise DomainError(_("Only finance can approve claims."))
    if by.id in {claim.validated_by_id, claim.submitted_by_id, claim.entered_by_id,
                 claim.claimant_id}:
        raise DomainError(_("You validated, submitted or entered this claim, so "
                            "someone else in finance must approve it."))


def approve_claim(session, claim, decisions, by):
    """Record finance's decision per line; the claim becomes approved (or rejected)."""
    check_approver(claim, by)
    check_transition(CLAIM, claim, "approve", by=by)
    total = _apply_decisions(
        claim.lines, decisions,
        base=lambda ln: None if ln.site_decision == "rejected" else ln.site_amount,
        decision_attr="finance_decision", amount_attr="approved_amount",
        reason_attr="finance_reason")
    session.flush()
    return _decide(session, claim, by, total, passed="approve", who="approved_by_id",
                   when="approved_at")


def request_receipt(session, claim, line, by, note):
    """Ask the claimant to add a missing receipt to a line of a submitted claim."""
    if not can_validate(by, claim):
        raise DomainError(_("Only staff of the claim's site can ask for receipts."))
    if claim.status not in ("submitted", "validated") or line.claim_id != claim.id:
        raise DomainError(_("Receipts can be asked for only while the claim is "
                            "being checked."))
    line.receipt_requested = True
    line.receipt_request_note = (note or "").strip()[:300] or None
    session.flush()
    tell_receipt_requested(session, line)
    return line
