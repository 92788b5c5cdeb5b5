"""A claim's timeline: record each status change and tell the claimant in their language."""

from flask import has_request_context, url_for
from flask_babel import format_currency, format_date
from flask_babel import gettext as _

from app.core.models import utcnow
from app.esign.services import content_hash
from app.notify.services import tell
from app.reimbursement.models import CLAIM_STATUSES, ClaimStep

# The meaning each step carries in the workflow steps of the Expense Reimbursement Sheet
# (workflow steps, not e-signatures: no password is re-entered).
STEP_MEANINGS = {"submitted": "submitted", "validated": "validated", "approved": "approved",
                 "rejected": "rejected", "paid": "performed"}


def record_step(session, claim, status, by, note=None, quiet=False):
    """Append a timeline step bound to a hash of the claim content, and notify the claimant.

    A quiet step (a claim back from a cancelled batch) carries no workflow meaning and tells
    nobody: for the claimant nothing changed but the wait.
    """
    meaning = None if quiet else STEP_MEANINGS.get(status)
    step = ClaimStep(claim_id=claim.id, status=status, user_id=by.id if by else None,
                     printed_name=by.full_name if by else "system", meaning=meaning,
                     content_hash=content_hash(claim, meaning) if meaning else None, note=note)
    session.add(step)
    if status != "draft" and not quiet:
        tell_claimant(session, claim, status)
    return step


def claim_link(claim):
    """Return the patient-portal address of a claim (tell makes it absolute in e-mails)."""
    if has_request_context():
        return url_for("my.show_claim", claim_id=claim.id)
    return f"/my/claims/{claim.id}"


def tell_claimant(session, claim, status):
    """Leave an in-app notice and queue an e-mail to the claimant, in their language."""
    user = claim.claimant

    def compose():
        label = str(CLAIM_STATUSES[status])
        if status == "paid" and claim.total_approved is not None:
            paid = _("We have paid %(amount)s on %(date)s. Your bank statement will show the "
                     "reference %(ref)s.", amount=format_currency(claim.total_approved, "EUR"),
                     date=format_date(claim.paid_at or utcnow()), ref=claim.reference)
            return (_("Your expense claim %(ref)s: %(status)s.", ref=claim.reference,
                      status=label) + " " + paid,
                    _("Hello %(name)s,\n\n%(message)s\nSee the details in the patient "
                      "portal:", name=user.full_name, message=paid))
        return (_("Your expense claim %(ref)s: %(status)s.", ref=claim.reference, status=label),
                _("Hello %(name)s,\n\nYour expense claim %(ref)s is now: %(status)s.\n"
                  "See the details in the patient portal:", name=user.full_name,
                  ref=claim.reference, status=label))

    tell(session, [user], compose, claim_link(claim))


def tell_receipt_requested(session, line):
    """Ask the claimant for a missing receipt, in their language."""
    claim = line.claim
    user = claim.claimant

    def compose():
        message = _("Your claim %(ref)s needs a receipt for the line of %(date)s.",
                    ref=claim.reference, date=format_date(line.line_date))
        return message, _("Hello %(name)s,\n\n%(message)s\nAdd it in the patient portal:",
                          name=user.full_name, message=message)

    tell(session, [user], compose, claim_link(claim))
