"""Site staff for a subject: portal invitations and claims entered on the claimant's behalf."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import attach_error
from app.extensions import db
from app.reimbursement import bp, drafting
from app.reimbursement.claims import claimants_of
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.forms import InviteForm, NewClaimForm
from app.reimbursement.models import Claim
from app.reimbursement.patients import invite_claimant
from app.reimbursement.queries import staff_claims
from app.reimbursement.staff_views import TEMPLATE, claim_context, claim_or_404
from app.trials.models import Subject, Trial
from app.trials.queries import visible_subjects

# ---- claims entered by site staff on the claimant's behalf --------------------------------

def _draft_or_404(claim_id):
    claim = claim_or_404(claim_id)
    if claim.site_id not in current_user.site_ids:
        abort(403)
    return claim


def _back(claim):
    return url_for("reimbursement.show_claim", claim_id=claim.id)


@bp.route("/claims/<int:claim_id>/lines", methods=["POST"])
@require("reimbursement.enter")
def add_line(claim_id):
    """Add an expense to a draft entered on the claimant's behalf."""
    claim = _draft_or_404(claim_id)
    return drafting.post_line(claim, current_user, TEMPLATE, _back(claim),
                              **claim_context(claim))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/delete", methods=["POST"])
@require("reimbursement.enter")
def delete_line(claim_id, line_id):
    """Remove an expense from a draft."""
    claim = _draft_or_404(claim_id)
    return drafting.post_delete_line(claim, line_id, _back(claim))


@bp.route("/claims/<int:claim_id>/lines/<int:line_id>/receipts", methods=["POST"])
@require("reimbursement.enter")
def add_receipt(claim_id, line_id):
    """Attach a receipt to a line of a draft entered on the claimant's behalf."""
    claim = _draft_or_404(claim_id)
    return drafting.post_receipt(claim, line_id, current_user, TEMPLATE, _back(claim),
                                 **claim_context(claim))


@bp.route("/claims/<int:claim_id>/submit", methods=["POST"])
@require("reimbursement.enter")
def submit(claim_id):
    """Send a claim entered on the claimant's behalf."""
    claim = _draft_or_404(claim_id)
    return drafting.post_submit(claim, current_user, TEMPLATE, _back(claim),
                                **claim_context(claim))


def _subject_or_404(subject_id):
    subject = db.session.scalar(visible_subjects(current_user).where(Subject.id == subject_id))
    if subject is None:
        abort(404)
    return subject


def _subject_page(subject, invite=None, new=None):
    links = claimants_of(db.session, subject)
    new = new or NewClaimForm(formdata=None)
    if not new.creation_token.data:
        new.creation_token.data = drafting.new_token()
    new.claimant_id.choices = [(link.user_id, link.user.full_name) for link in links]
    new.visit_id.choices = [(v.id, f"V{v.number} · {v.name}") for v in subject.trial.visits
                            if v.active]
    claims = db.session.scalars(staff_claims(current_user).where(
        Claim.subject_id == subject.id).order_by(Claim.id.desc())).all()
    return render_template("reimbursement/subject.html", subject=subject, links=links,
                           invite_form=invite or InviteForm(formdata=None), new_form=new,
                           claims=claims)


@bp.route("/subjects")
@require("reimbursement.view")
def list_subjects():
    """Find a subject to invite their patient account or enter a claim for them."""
    listing = build_listing(visible_subjects(current_user),
                            sorts={"code": Subject.code, "trial": Trial.protocol_code},
                            default_sort="code", search_columns=(Subject.code,))
    return render_template("reimbursement/subjects.html", listing=listing)


@bp.route("/subjects/<int:subject_id>")
@require("reimbursement.view")
def subject(subject_id):
    """A subject's portal accounts and claims; invite or claim on their behalf."""
    return _subject_page(_subject_or_404(subject_id))


@bp.route("/subjects/<int:subject_id>/invite", methods=["POST"])
@require("reimbursement.invite")
def invite(subject_id):
    """Invite the subject's patient or caregiver by e-mail."""
    subject = _subject_or_404(subject_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            link = invite_claimant(db.session, subject, email=form.email.data,
                                   full_name=form.full_name.data, language=form.language.data,
                                   relation=form.relation.data, by=current_user)
        except ReimbursementError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=link.user.email), "success")
            return redirect(url_for("reimbursement.subject", subject_id=subject.id))
    return _subject_page(subject, invite=form), 422


@bp.route("/subjects/<int:subject_id>/claims", methods=["POST"])
@require("reimbursement.enter")
def new_claim(subject_id):
    """Open a claim on the claimant's behalf (marked as such)."""
    from app.reimbursement.portal_views import claim_from_form

    subject = _subject_or_404(subject_id)
    if subject.site_id not in current_user.site_ids:
        abort(403)
    form = NewClaimForm()
    form.claimant_id.choices = [(link.user_id, link.user.full_name)
                                for link in claimants_of(db.session, subject)]
    if form.validate_on_submit():
        from app.auth.models import User

        claimant = db.session.get(User, form.claimant_id.data or 0)
        try:
            if claimant is None:
                raise ReimbursementError(_("Choose who is claiming."), field="claimant_id")
            claim = claim_from_form(form, subject, claimant, current_user)
        except ReimbursementError as error:
            db.session.rollback()
            attach_error(form, error, default_field="period")
        else:
            db.session.commit()
            return redirect(url_for("reimbursement.show_claim", claim_id=claim.id))
    return _subject_page(subject, new=form), 422
