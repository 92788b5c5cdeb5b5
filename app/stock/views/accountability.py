"""Drug accountability per site and per trial: screen, Excel, PDF, signature and verification."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.actions import perform
from app.core.errors import DomainError
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.queries import get_or_404
from app.esign.forms import SignForm
from app.esign.services import signatures_for
from app.exports.excel import xlsx_response
from app.exports.pdf import build_pdf, pdf_response
from app.extensions import db
from app.stock import bp
from app.stock.exports import (
    accountability_params,
    accountability_sheets,
    accountability_story,
)
from app.stock.models import AccountabilityReview
from app.stock.queries import REVIEW_WAITING, reviews_waiting
from app.stock.services import accountability
from app.trials.api import Site, Trial, can_see_site, visible_trials


def _scope(kind, ident, permission="accountability.view"):
    """Return (site, trial) for a scope the permission reaches for this user, or 404."""
    if kind == "site":
        site = get_or_404(Site, ident)
        if not can_see_site(current_user, site, permission):
            abort(404)
        return site, None
    if kind == "trial" and current_user.site_scope(permission) is None:
        trial = db.session.scalar(visible_trials(current_user, permission)
                                  .where(Trial.id == ident))
        if trial is not None:
            return None, trial
    abort(404)


def _title(site, trial):
    if site is not None:
        return _("Drug accountability · %(trial)s site %(site)s", trial=site.trial.protocol_code,
                 site=site.site_number)
    return _("Drug accountability · %(trial)s (all sites)", trial=trial.protocol_code)


@bp.route("/accountability/<kind>/<int:ident>")
@require("accountability.view")
def show_accountability(kind, ident):
    """Show the reconciliation of a site or a trial, with its signed reviews."""
    site, trial = _scope(kind, ident)
    figures = accountability.compute(db.session, site=site, trial=trial)
    column = AccountabilityReview.site_id if site else AccountabilityReview.trial_id
    reviews = db.session.scalars(select(AccountabilityReview).where(
        column == (site or trial).id).order_by(AccountabilityReview.id.desc()).limit(20)).all()
    dispensed = db.session.scalars(accountability.dispensings(
        db.session, site=site, trial=trial).order_by(None).limit(50)).all()
    return render_template("stock/accountability.html", site=site, trial=trial, kind=kind,
                           ident=ident, figures=figures, reviews=reviews, dispensed=dispensed,
                           title=_title(site, trial))


@bp.route("/accountability/<kind>/<int:ident>/log.xlsx", methods=["GET", "POST"])
@require("accountability.view")
def accountability_xlsx(kind, ident):
    """Download the accountability log as Excel (a background job when it is large)."""
    from app.jobs.views import export_or_job  # here: app.jobs imports every domain's models

    site, trial = _scope(kind, ident)
    figures = accountability.compute(db.session, site=site, trial=trial)
    name = f"accountability-{kind}-{ident}.xlsx"
    return export_or_job(
        "accountability_log", accountability_params(kind, ident, figures),
        lambda: xlsx_response(name, accountability_sheets(db.session, figures, site=site,
                                                          trial=trial)))


def _review_pdf(review):
    site, trial = review.site, review.trial
    figures = accountability.compute_review(db.session, review)
    return build_pdf(_title(site, trial), accountability_story(db.session, figures, site=site,
                                                               trial=trial),
                     subtitle=_("Ledger lines up to #%(n)s", n=review.last_entry_id),
                     signatures=signatures_for(db.session, review), landscape=True)


@bp.route("/accountability/<kind>/<int:ident>/log.pdf")
@require("accountability.view")
def accountability_pdf(kind, ident):
    """Download today's accountability log as PDF (unsigned)."""
    site, trial = _scope(kind, ident)
    figures = accountability.compute(db.session, site=site, trial=trial)
    data = build_pdf(_title(site, trial), accountability_story(db.session, figures, site=site,
                                                               trial=trial),
                     subtitle=_("Ledger lines up to #%(n)s", n=figures.last_entry_id),
                     signature_lines=[_("Site pharmacist"), _("Monitor")], landscape=True)
    return pdf_response(f"accountability-{kind}-{ident}.pdf", data)


@bp.route("/accountability/<kind>/<int:ident>/freeze", methods=["POST"])
@require("accountability.sign")
def freeze_accountability(kind, ident):
    """Freeze today's figures into a review that can be signed."""
    site, trial = _scope(kind, ident, "accountability.sign")
    return perform(lambda: accountability.freeze(db.session, site=site, trial=trial,
                                                 by=current_user),
                   success=None,
                   next_url=lambda review: url_for("stock.show_review", review_id=review.id),
                   refused_url=url_for("stock.show_accountability", kind=kind, ident=ident))


def _review_or_404(review_id):
    review = get_or_404(AccountabilityReview, review_id)
    if review.site is not None:
        _scope("site", review.site_id)
    else:
        _scope("trial", review.trial_id)
    return review


@bp.route("/accountability/reviews")
@require("accountability.view")
def list_reviews():
    """List the frozen accountability logs; ?waiting=sign or verify: those waiting for it."""
    waiting = request.args.get("waiting")
    stmt = reviews_waiting(current_user, waiting if waiting in REVIEW_WAITING else None)
    listing = build_listing(stmt.options(selectinload(AccountabilityReview.site),
                                         selectinload(AccountabilityReview.trial)),
                            sorts={"id": AccountabilityReview.id,
                                   "created": AccountabilityReview.created_at},
                            default_sort="-id")
    return render_template("stock/reviews.html", listing=listing)


@bp.route("/accountability/reviews/<int:review_id>")
@require("accountability.view")
def show_review(review_id):
    """Show a frozen review, its figures and its signatures, and the form to sign it."""
    return _review_page(_review_or_404(review_id))


def _review_page(review, sign_form=None):
    """Render the review page; after a refused signature, with the form as it was typed."""
    signatures = signatures_for(db.session, review)
    meaning = accountability.meaning_open_to(current_user, {s.meaning for s in signatures},
                                             review.site_id)
    figures = accountability.compute_review(db.session, review)
    if meaning and sign_form is None:
        sign_form = SignForm(meaning=meaning, formdata=None)
    return render_template("stock/review.html", review=review, signatures=signatures,
                           figures=figures, meaning=meaning,
                           sign_form=sign_form if meaning else None,
                           title=_title(review.site, review.trial))


@bp.route("/accountability/reviews/<int:review_id>/sign", methods=["POST"])
@require("esign.sign")
def sign_review(review_id):
    """Sign a review: the pharmacist submits it, then the monitor verifies it."""
    review = _review_or_404(review_id)
    if review.site_id is not None and not current_user.sees_site("esign.sign", review.site_id):
        abort(404)  # signing reaches the account's own sites only
    form = SignForm()
    back = url_for("stock.show_review", review_id=review.id)

    def sign():
        meaning = request.form.get("meaning")
        # Who may sign with which meaning is refused first, then an incomplete form.
        accountability.check_may_sign(db.session, review, current_user, meaning)
        if not form.validate_on_submit():
            raise DomainError(_("Enter your password and confirm the statement to sign."))
        return accountability.sign_review(db.session, review, meaning=meaning,
                                          signer=current_user, password=form.password.data,
                                          comment=form.comment.data)

    return perform(sign, validate=False, refused_url=back + "#signatures-title",
                   render=lambda: _review_page(review, form),
                   success=_("The accountability log is signed."),
                   next_url=back + "#signatures-title")


@bp.route("/accountability/reviews/<int:review_id>/log.pdf")
@require("accountability.view")
def review_pdf(review_id):
    """Download a frozen review as PDF with its signatures."""
    review = _review_or_404(review_id)
    return pdf_response(f"accountability-review-{review.id}.pdf", _review_pdf(review))
