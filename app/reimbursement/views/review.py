"""A claim's review: the site validates, finance approves, the site asks for a receipt."""

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.forms import RequestReceiptForm, review_form
from app.reimbursement.models import ClaimLine
from app.reimbursement.services.review import (
    approve_claim,
    read_decisions,
    request_receipt,
    validate_claim,
)
from app.reimbursement.views import drafting
from app.reimbursement.views.claims import TEMPLATE, claim_context, claim_or_404


def _review(claim_id, decide, done_message, explicit=False):
    claim = claim_or_404(claim_id)
    form = review_form(claim)
    return perform(
        lambda: decide(db.session, claim, read_decisions(claim, request.form, explicit=explicit),
                       current_user),
        form=form, success=done_message % {"ref": claim.reference},
        next_url=url_for("reimbursement.show_claim", claim_id=claim.id),
        render=lambda: (drafting.render_claim(TEMPLATE, claim, **claim_context(claim, form)),
                        422))


@bp.route("/claims/<int:claim_id>/validate", methods=["POST"])
@require("reimbursement.validate")
def validate(claim_id):
    """Record the site's decision on every line."""
    return _review(claim_id, validate_claim, _("Claim %(ref)s validated."))


@bp.route("/claims/<int:claim_id>/approve", methods=["POST"])
@require("reimbursement.approve")
def approve(claim_id):
    """Record finance's decision on every line."""
    return _review(claim_id, approve_claim, _("Claim %(ref)s decided by finance."),
                   explicit=True)


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/request-receipt", methods=["POST"])
@require("reimbursement.validate")
def ask_receipt(claim_id, line_id):
    """Ask the claimant for a missing receipt."""
    claim = claim_or_404(claim_id)
    line = get_or_404(ClaimLine, line_id)
    form = RequestReceiptForm()
    return perform(lambda: request_receipt(db.session, claim, line, current_user, form.note.data),
                   form=form, success=_("The claimant has been asked for the receipt."),
                   next_url=url_for("reimbursement.show_claim", claim_id=claim.id))
