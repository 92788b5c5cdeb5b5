"""Site staff write a claim on the claimant's behalf (marked as such): open, lines, send."""

from flask import abort, url_for
from flask_login import current_user

from app.auth.models import User
from app.core.actions import perform
from app.core.permissions import require
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.forms import NewClaimForm
from app.reimbursement.views import drafting
from app.reimbursement.views.claims import TEMPLATE, claim_context, claim_or_404
from app.reimbursement.views.patients import claimant_choices, subject_or_404, subject_page


def _own_site(record):
    """Staff enter claims for their own sites only; anything else is out of scope (404)."""
    if record.site_id not in current_user.site_ids:
        abort(404)
    return record


def _back(claim):
    return url_for("reimbursement.show_claim", claim_id=claim.id)


@bp.route("/subjects/<int:subject_id>/claims", methods=["POST"])
@require("reimbursement.enter")
def new_claim(subject_id):
    """Open a claim on the claimant's behalf (marked as such)."""
    subject = _own_site(subject_or_404(subject_id))
    form = NewClaimForm()
    form.claimant_id.choices = claimant_choices(subject)

    def open_draft():
        claimant = db.session.get(User, form.claimant_id.data or 0)
        return drafting.open_from_form(form, subject, claimant, current_user)

    return perform(
        open_draft,
        form=form, success=None, next_url=_back, default_field="period",
        render=lambda: (subject_page(subject, new=form), 422))


@bp.route("/claims/<int:claim_id>/lines", methods=["POST"])
@require("reimbursement.enter")
def add_line(claim_id):
    """Add an expense to a draft entered on the claimant's behalf."""
    claim = _own_site(claim_or_404(claim_id))
    return drafting.post_line(claim, current_user, TEMPLATE, _back(claim),
                              **claim_context(claim))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/delete", methods=["POST"])
@require("reimbursement.enter")
def delete_line(claim_id, line_id):
    """Remove an expense from a draft."""
    claim = _own_site(claim_or_404(claim_id))
    return drafting.post_delete_line(claim, line_id, _back(claim))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/receipts", methods=["POST"])
@require("reimbursement.enter")
def add_receipt(claim_id, line_id):
    """Attach a receipt to a line of a draft entered on the claimant's behalf."""
    claim = _own_site(claim_or_404(claim_id))
    return drafting.post_receipt(claim, line_id, current_user, TEMPLATE, _back(claim),
                                 **claim_context(claim))


@bp.route("/claims/<int:claim_id>/submit", methods=["POST"])
@require("reimbursement.enter")
def submit(claim_id):
    """Send a claim entered on the claimant's behalf."""
    claim = _own_site(claim_or_404(claim_id))
    return drafting.post_submit(claim, current_user, TEMPLATE, _back(claim),
                                **claim_context(claim))
