"""Back office (/reimbursement): claim lists and exports, a claim's page, bank details."""


from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.audit.queries import history_of
from app.core import clock
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.listing import build_listing
from app.core.permissions import require, route_permission
from app.exports.excel import Sheet, xlsx_response
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.exports import (
    claims_sheet,
    payee_total_headers,
    payee_total_rows,
)
from app.reimbursement.forms import ConfirmForm, RequestReceiptForm, review_form
from app.reimbursement.models import Claim
from app.reimbursement.queries import (
    bank_account_of,
    filtered_claims,
    staff_claim,
    staff_claims,
)
from app.reimbursement.services.bank import reveal_iban
from app.reimbursement.services.flags import flags_for
from app.reimbursement.services.review import can_validate, check_approver
from app.reimbursement.views import drafting
from app.trials.api import Site, Subject, Trial, visible_sites, visible_trials

TEMPLATE = "reimbursement/claim.html"


def claim_or_404(claim_id):
    """Return a claim the route's permission reaches for this user or answer 404."""
    claim = staff_claim(db.session, current_user, claim_id, route_permission())
    if claim is None:
        abort(404)
    return claim


def _with_subject(stmt):
    """Join subjects only when searching or sorting by subject code (cheaper counts)."""
    if request.args.get("q") or (request.args.get("sort") or "").lstrip("-") == "subject":
        return stmt.join(Subject, Claim.subject_id == Subject.id)
    return stmt


def _filtered_claims():
    return filtered_claims(current_user, request.args)


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


@bp.route("/claims.xlsx", methods=["GET", "POST"])
@require("reimbursement.view")
def export_claims():
    """Download the filtered claims as Excel (a background job when there are many)."""
    from app.jobs.views import export_or_job  # here: app.jobs imports every domain's models

    params = {key: request.args[key] for key in ("status", "site", "trial", "q")
              if request.args.get(key)}
    return export_or_job("claims", params, lambda: xlsx_response(
        "expense-claims.xlsx", [claims_sheet(db.session, current_user, params)]))


@bp.route("/payee-totals.xlsx")
@require("reimbursement.pay")
def export_payee_totals():
    """Download per-payee totals paid in a year, split by kind."""
    year = request.args.get("year", type=int) or clock.today().year
    if not 2000 <= year <= 2100:
        abort(400)
    sheet = Sheet(str(year), payee_total_headers(), payee_total_rows(
        db.session, year, current_user.site_scope("reimbursement.pay")))
    return xlsx_response(f"payee-totals-{year}.xlsx", [sheet])


def claim_context(claim, review=None):
    """Return what the staff claim page shows besides the draft forms (review, flags...)."""
    review = review or review_form(claim, formdata=None)
    errors = {field.name: str(field.errors[0]) for field in review if field.errors}
    if review.form_errors:
        errors["form"] = " ".join(str(message) for message in review.form_errors)
    context = {"urls": drafting.claim_urls("reimbursement", claim), "review_form": review,
               "review_errors": errors, "request_form": RequestReceiptForm(formdata=None),
               "staff": True, "history": history_of(db.session, claim, *claim.lines),
               "can_validate": claim.status == "submitted" and can_validate(current_user, claim),
               "can_enter": claim.status == "draft" and current_user.can("reimbursement.enter"),
               "approve_block": None, "flags": flags_for(db.session, claim)}
    if claim.status == "validated" and current_user.can("reimbursement.approve"):
        try:
            check_approver(claim, current_user)
            context["can_approve"] = True
        except DomainError as error:
            context["approve_block"] = str(error)
    context["account"] = bank_account_of(db.session, claim.claimant_id)
    return context


@bp.route("/claims/<int:claim_id>")
@require("reimbursement.view")
def show_claim(claim_id):
    """Show a claim with flags, receipts, decisions, timeline and history."""
    claim = claim_or_404(claim_id)
    return drafting.render_claim(TEMPLATE, claim, **claim_context(claim))


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


@bp.route("/claims/<int:claim_id>/bank", methods=["GET", "POST"])
@require("reimbursement.bank")
def bank(claim_id):
    """Show the payee's bank details masked; reveal the full IBAN on request (audited)."""
    claim = claim_or_404(claim_id)
    account = bank_account_of(db.session, claim.claimant_id)
    form = ConfirmForm()

    def page(full_iban=None):
        return render_template("reimbursement/bank.html", claim=claim, account=account,
                               form=form, full_iban=full_iban)

    if request.method == "GET" or account is None:
        return page()
    # The full IBAN is the answer to this POST itself: commit the audited reveal, then show.
    return perform(lambda: reveal_iban(db.session, account, current_user), form=form,
                   success=None, next_url=request.path, respond=page)
