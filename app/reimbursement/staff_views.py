"""Back office (/reimbursement): claim lists, site validation, finance approval, invitations."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import get_or_404
from app.exports.excel import Sheet, xlsx_response
from app.extensions import db
from app.reimbursement import bp, drafting
from app.reimbursement.bank import reveal_iban
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.exports import (
    claim_headers,
    claim_rows,
    payee_total_headers,
    payee_total_rows,
)
from app.reimbursement.forms import (
    ConfirmForm,
    RequestReceiptForm,
    ReviewForm,
)
from app.reimbursement.models import CLAIM_STATUSES, BankAccount, Claim, ClaimLine
from app.reimbursement.queries import staff_claim, staff_claims
from app.reimbursement.review import (
    approve_claim,
    can_validate,
    check_approver,
    flags_for,
    request_receipt,
    validate_claim,
)
from app.trials.models import Site, Subject, Trial
from app.trials.queries import visible_sites, visible_trials

TEMPLATE = "reimbursement/claim.html"


def claim_or_404(claim_id):
    claim = staff_claim(db.session, current_user, claim_id)
    if claim is None:
        abort(404)
    return claim


def _with_subject(stmt):
    """Join subjects only when searching or sorting by subject code (cheaper counts)."""
    if request.args.get("q") or (request.args.get("sort") or "").lstrip("-") == "subject":
        return stmt.join(Subject, Claim.subject_id == Subject.id)
    return stmt


def _filtered_claims():
    stmt = staff_claims(current_user)
    status = request.args.get("status")
    if status in CLAIM_STATUSES:
        stmt = stmt.where(Claim.status == status)
    site = request.args.get("site", type=int)
    if site:
        stmt = stmt.where(Claim.site_id == site)
    trial = request.args.get("trial", type=int)
    if trial:
        stmt = stmt.where(Claim.site_id.in_(select(Site.id).where(Site.trial_id == trial)))
    return stmt


def _listing(stmt, default_sort="-id"):
    # Load a page's relations with their own small queries: joined eager loads would be
    # joined for every skipped row of a deep page too.
    stmt = stmt.options(selectinload(Claim.subject), selectinload(Claim.site),
                        selectinload(Claim.claimant), selectinload(Claim.visit))
    return build_listing(_with_subject(stmt),
                         sorts={"id": Claim.id, "submitted": Claim.submitted_at,
                                "status": Claim.status, "claimed": Claim.total_claimed,
                                "subject": Subject.code},
                         default_sort=default_sort, search_columns=(Subject.code,))


def _site_choices():
    stmt = visible_sites(current_user).order_by(Trial.protocol_code, Site.site_number)
    return [(s.id, f"{s.trial.protocol_code} · {s.site_number}") for s in db.session.scalars(stmt)]


@bp.route("/")
@require("reimbursement.totals")
def list_claims():
    """List claims with filters; monitors see subject codes and totals only."""
    listing = _listing(_filtered_claims())
    trials = db.session.scalars(visible_trials(current_user).order_by(Trial.protocol_code)).all()
    return render_template("reimbursement/claims.html", listing=listing, title=_("Expense claims"),
                           sites=_site_choices(), show_filters=True, trials=trials)


@bp.route("/validation")
@require("reimbursement.validate")
def validation_queue():
    """Submitted claims of my sites, oldest first."""
    stmt = staff_claims(current_user).where(Claim.status == "submitted")
    return render_template("reimbursement/claims.html", listing=_listing(stmt, "submitted"),
                           title=_("Claims to validate"), sites=[], show_filters=False)


@bp.route("/approval")
@require("reimbursement.approve")
def approval_queue():
    """Claims validated by sites, waiting for finance, oldest first."""
    stmt = staff_claims(current_user).where(Claim.status == "validated")
    return render_template("reimbursement/claims.html", listing=_listing(stmt, "submitted"),
                           title=_("Claims to approve"), sites=[], show_filters=False)


@bp.route("/claims.xlsx")
@require("reimbursement.view")
def export_claims():
    """Download the filtered claims as Excel."""
    sheet = Sheet(_("Claims"), claim_headers(), claim_rows(db.session, _filtered_claims()))
    return xlsx_response("expense-claims.xlsx", [sheet])


@bp.route("/payee-totals.xlsx")
@require("reimbursement.pay")
def export_payee_totals():
    """Download per-payee totals paid in a year, split by kind."""
    year = request.args.get("year", type=int) or date.today().year
    if not 2000 <= year <= 2100:
        abort(400)
    sheet = Sheet(str(year), payee_total_headers(), payee_total_rows(db.session, year))
    return xlsx_response(f"payee-totals-{year}.xlsx", [sheet])


def _urls(claim):
    return drafting.claim_urls("reimbursement", claim)


def claim_context(claim, review_errors=None):
    context = {"urls": _urls(claim), "review_form": ReviewForm(formdata=None),
               "review_errors": review_errors or {}, "request_form":
               RequestReceiptForm(formdata=None), "staff": True,
               "history": history_of(db.session, claim, *claim.lines),
               "can_validate": claim.status == "submitted" and can_validate(current_user, claim),
               "can_enter": claim.status == "draft" and current_user.can("reimbursement.enter"),
               "approve_block": None, "flags": flags_for(db.session, claim)}
    if claim.status == "validated" and current_user.can("reimbursement.approve"):
        try:
            check_approver(claim, current_user)
            context["can_approve"] = True
        except ReimbursementError as error:
            context["approve_block"] = str(error)
    account = db.session.scalar(select(BankAccount).where(
        BankAccount.user_id == claim.claimant_id))
    context["account"] = account
    return context


@bp.route("/claims/<int:claim_id>")
@require("reimbursement.view")
def show_claim(claim_id):
    """Show a claim with flags, receipts, decisions, timeline and history."""
    claim = claim_or_404(claim_id)
    return drafting.render_claim(TEMPLATE, claim, **claim_context(claim))


def _decisions(claim, prefix):
    decisions = {}
    for line in claim.lines:
        decision = request.form.get(f"decision_{line.id}", "approved")
        raw = (request.form.get(f"amount_{line.id}") or "").replace(",", ".").strip()
        try:
            amount = Decimal(raw) if raw else None
        except InvalidOperation:
            raise ReimbursementError(_("Type a number, for example 12,50."),
                                     field=f"amount_{line.id}") from None
        decisions[line.id] = (decision, amount, request.form.get(f"reason_{line.id}", "")[:500])
    return decisions


def _review(claim_id, action, done_message):
    claim = claim_or_404(claim_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            action(db.session, claim, _decisions(claim, "site"), current_user)
        except ReimbursementError as error:
            db.session.rollback()
            db.session.refresh(claim)
            context = claim_context(claim, {error.field or "form": str(error)})
            return drafting.render_claim(TEMPLATE, claim, **context), 422
        db.session.commit()
        flash(done_message % {"ref": claim.reference}, "success")
    return redirect(url_for("reimbursement.show_claim", claim_id=claim.id))


@bp.route("/claims/<int:claim_id>/validate", methods=["POST"])
@require("reimbursement.validate")
def validate(claim_id):
    """Record the site's decision on every line."""
    return _review(claim_id, validate_claim, _("Claim %(ref)s validated."))


@bp.route("/claims/<int:claim_id>/approve", methods=["POST"])
@require("reimbursement.approve")
def approve(claim_id):
    """Record finance's decision on every line."""
    return _review(claim_id, approve_claim, _("Claim %(ref)s decided by finance."))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/request-receipt", methods=["POST"])
@require("reimbursement.validate")
def ask_receipt(claim_id, line_id):
    """Ask the claimant for a missing receipt."""
    claim = claim_or_404(claim_id)
    line = get_or_404(ClaimLine, line_id)
    form = RequestReceiptForm()
    if form.validate_on_submit():
        try:
            request_receipt(db.session, claim, line, current_user, form.note.data)
        except ReimbursementError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The claimant has been asked for the receipt."), "success")
    return redirect(url_for("reimbursement.show_claim", claim_id=claim.id))


@bp.route("/claims/<int:claim_id>/receipts/<int:receipt_id>")
@require("reimbursement.view")
def receipt(claim_id, receipt_id):
    """Open a receipt of a claim in my scope."""
    claim = claim_or_404(claim_id)
    return drafting.send_receipt(claim, receipt_id)


@bp.route("/claims/<int:claim_id>/sheet.pdf")
@require("reimbursement.view")
def sheet(claim_id):
    """Download the Expense Reimbursement Sheet."""
    claim = claim_or_404(claim_id)
    return drafting.sheet_response(claim)


# ---- bank details for finance ---------------------------------------------------------------

@bp.route("/claims/<int:claim_id>/bank", methods=["GET", "POST"])
@require("reimbursement.bank")
def bank(claim_id):
    """Show the payee's bank details masked; reveal the full IBAN on request (audited)."""
    claim = claim_or_404(claim_id)
    account = db.session.scalar(select(BankAccount).where(
        BankAccount.user_id == claim.claimant_id))
    form = ConfirmForm()
    full = None
    if account is not None and form.validate_on_submit():
        full = reveal_iban(db.session, account, current_user)
        db.session.commit()
    return render_template("reimbursement/bank.html", claim=claim, account=account, form=form,
                           full_iban=full)
