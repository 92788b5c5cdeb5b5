"""The patient portal (/my): my claims, a new claim, lines, receipts, bank details, policy."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.actions import perform
from app.core.permissions import require
from app.extensions import db
from app.notify.models import Notice
from app.notify.services import mark_all_read
from app.reimbursement import portal_bp
from app.reimbursement.forms import BankForm, ConfirmForm, NewClaimForm
from app.reimbursement.models import Claim
from app.reimbursement.queries import bank_account_of, link_for_user, my_claim, my_claims
from app.reimbursement.services.bank import save_bank_details
from app.reimbursement.services.policy import plain_language, policy_or_default
from app.reimbursement.views import drafting

TEMPLATE = "reimbursement/my_claim.html"


def _link_or_404():
    link = link_for_user(db.session, current_user)
    if link is None:
        abort(404)
    return link


def _claim_or_404(claim_id):
    claim = my_claim(db.session, current_user, claim_id)
    if claim is None:
        abort(404)
    return claim


def _back(claim):
    return url_for("my.show_claim", claim_id=claim.id)


def _urls(claim):
    return drafting.claim_urls("my", claim)


@portal_bp.route("/")
@require("reimbursement.portal")
def claims():
    """List my claims, newest first, with their status."""
    link = link_for_user(db.session, current_user)
    items = db.session.scalars(my_claims(current_user).order_by(
        Claim.id.desc())).all() if link else []
    account = bank_account_of(db.session, current_user.id)
    notices = db.session.scalars(select(Notice).where(Notice.user_id == current_user.id)
                                 .order_by(Notice.id.desc()).limit(5)).all()
    return render_template("reimbursement/my_claims.html", link=link, claims=items,
                           account=account, notices=notices, read_form=ConfirmForm())


@portal_bp.route("/notices/read", methods=["POST"])
@require("reimbursement.portal")
def read_notices():
    """Mark my messages as read."""
    return perform(lambda: mark_all_read(db.session, current_user), form=ConfirmForm(),
                   success=None, next_url=url_for("my.claims"))


@portal_bp.route("/claims/new", methods=["GET", "POST"])
@require("reimbursement.portal")
def new_claim():
    """Start a claim for a visit of my schedule or for a stay."""
    link = _link_or_404()
    form = NewClaimForm()
    form.visit_id.choices = drafting.visit_choices(link.subject)

    def page():
        policy = policy_or_default(db.session, link.subject.trial)
        return render_template("reimbursement/my_new_claim.html", form=form, link=link,
                               policy_text=plain_language(policy)), \
            422 if form.errors else 200

    if request.method == "GET":
        form.creation_token.data = drafting.new_token()
        if link.subject.trial.kind == "cell_therapy":
            form.period.data = "stay"
    return perform(lambda: drafting.open_from_form(form, link.subject, current_user, current_user),
                   form=form, success=None, next_url=_back, render=page,
                   default_field="period")


@portal_bp.route("/claims/<int:claim_id>")
@require("reimbursement.portal")
def show_claim(claim_id):
    """Show my claim: timeline, lines with decisions and reasons, forms while a draft."""
    claim = _claim_or_404(claim_id)
    return drafting.render_claim(TEMPLATE, claim, urls=_urls(claim))


@portal_bp.route("/claims/<int:claim_id>/lines", methods=["POST"])
@require("reimbursement.portal")
def add_line(claim_id):
    """Add an expense to my draft."""
    claim = _claim_or_404(claim_id)
    return drafting.post_line(claim, current_user, TEMPLATE, _back(claim), urls=_urls(claim))


@portal_bp.route("/claims/<int:claim_id>/lines/<int:line_id>/delete", methods=["POST"])
@require("reimbursement.portal")
def delete_line(claim_id, line_id):
    """Remove an expense from my draft."""
    claim = _claim_or_404(claim_id)
    return drafting.post_delete_line(claim, line_id, _back(claim))


@portal_bp.route("/claims/<int:claim_id>/lines/<int:line_id>/receipts", methods=["POST"])
@require("reimbursement.portal")
def add_receipt(claim_id, line_id):
    """Attach a receipt to a line (after submission only when the site asked)."""
    claim = _claim_or_404(claim_id)
    return drafting.post_receipt(claim, line_id, current_user, TEMPLATE, _back(claim),
                                 urls=_urls(claim))


@portal_bp.route("/claims/<int:claim_id>/submit", methods=["POST"])
@require("reimbursement.portal")
def submit(claim_id):
    """Send my claim with the declaration."""
    claim = _claim_or_404(claim_id)
    return drafting.post_submit(claim, current_user, TEMPLATE, _back(claim), urls=_urls(claim))


@portal_bp.route("/claims/<int:claim_id>/receipts/<int:receipt_id>")
@require("reimbursement.portal")
def receipt(claim_id, receipt_id):
    """Open one of my receipts."""
    claim = _claim_or_404(claim_id)
    return drafting.send_receipt(claim, receipt_id)


@portal_bp.route("/claims/<int:claim_id>/sheet.pdf")
@require("reimbursement.portal")
def sheet(claim_id):
    """Download the Expense Reimbursement Sheet of my claim."""
    claim = _claim_or_404(claim_id)
    return drafting.sheet_response(claim)


@portal_bp.route("/bank", methods=["GET", "POST"])
@require("reimbursement.portal")
def bank():
    """Give or change the account my reimbursements are paid into."""
    account = bank_account_of(db.session, current_user.id)
    form = BankForm()

    def page():
        return render_template("reimbursement/my_bank.html", form=form,
                               account=account), 422 if form.errors else 200

    if request.method == "GET" and account is not None:
        form.holder_name.data = account.holder_name
        form.holder_is_payee.data = "yes" if account.holder_is_payee else "no"

    def save():
        upload = form.authorisation.data
        authorisation = (upload.read(), upload.filename) if (
            upload and getattr(upload, "filename", None)) else None
        return save_bank_details(db.session, current_user, iban=form.iban.data,
                                 holder_name=form.holder_name.data, bic=form.bic.data,
                                 holder_is_payee=form.holder_is_payee.data == "yes",
                                 authorisation_file=authorisation)

    return perform(save, form=form, success=_("Your bank details have been saved."),
                   next_url=url_for("my.claims"), render=page)


@portal_bp.route("/policy")
@require("reimbursement.portal")
def policy():
    """Read what the trial pays for, in plain language."""
    link = _link_or_404()
    text = plain_language(policy_or_default(db.session, link.subject.trial))
    return render_template("reimbursement/my_policy.html", policy_text=text, link=link)
