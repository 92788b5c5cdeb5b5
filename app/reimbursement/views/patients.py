"""Site staff and a subject: find it, see its portal accounts and claims, invite a claimant."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require, route_permission
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.forms import InviteForm, NewClaimForm
from app.reimbursement.models import Claim
from app.reimbursement.queries import claimants_of, staff_claims
from app.reimbursement.services.patients import invite_claimant
from app.reimbursement.views import drafting
from app.trials.api import Subject, Trial, visible_subjects


def subject_or_404(subject_id):
    """Return a subject the route's permission reaches for this user or answer 404."""
    subject = db.session.scalar(visible_subjects(current_user, route_permission())
                                .where(Subject.id == subject_id))
    if subject is None:
        abort(404)
    return subject


def claimant_choices(subject):
    """Return the subject's portal accounts as (user id, name) choices."""
    return [(link.user_id, link.user.full_name) for link in claimants_of(db.session, subject)]


def stay_prefill():
    """Return a stay's dates given in the link (the cell-therapy timeline starts a stay claim)."""
    from datetime import date

    try:
        start = date.fromisoformat(request.args.get("stay_start", ""))
        end = date.fromisoformat(request.args.get("stay_end", ""))
    except ValueError:
        return {}
    return {"period": "stay", "stay_start": start, "stay_end": end}


def subject_page(subject, invite=None, new=None):
    """Render a subject's page with the invitation and new-claim forms (as typed, if given)."""
    new = new or NewClaimForm(formdata=None, data=stay_prefill())
    if not new.creation_token.data:
        new.creation_token.data = drafting.new_token()
    new.claimant_id.choices = claimant_choices(subject)
    new.visit_id.choices = drafting.visit_choices(subject)
    claims = db.session.scalars(staff_claims(current_user).where(
        Claim.subject_id == subject.id).order_by(Claim.id.desc())).all()
    return render_template("reimbursement/subject.html", subject=subject,
                           links=claimants_of(db.session, subject),
                           invite_form=invite or InviteForm(formdata=None), new_form=new,
                           claims=claims)


@bp.route("/subjects")
@require("reimbursement.view")
def list_subjects():
    """Find a subject to invite their patient account or enter a claim for them."""
    listing = build_listing(visible_subjects(current_user, "reimbursement.view"),
                            sorts={"code": Subject.code, "trial": Trial.protocol_code},
                            default_sort="code", search_columns=(Subject.code,))
    return render_template("reimbursement/subjects.html", listing=listing)


@bp.route("/subjects/<int:subject_id>")
@require("reimbursement.view")
def subject(subject_id):
    """A subject's portal accounts and claims; invite or claim on their behalf."""
    return subject_page(subject_or_404(subject_id))


@bp.route("/subjects/<int:subject_id>/invite", methods=["POST"])
@require("reimbursement.invite")
def invite(subject_id):
    """Invite the subject's patient or caregiver by e-mail."""
    subject = subject_or_404(subject_id)
    form = InviteForm()
    return perform(
        lambda: invite_claimant(db.session, subject, email=form.email.data,
                                full_name=form.full_name.data, language=form.language.data,
                                relation=form.relation.data, by=current_user),
        form=form, success=lambda link: _("Invitation sent to %(email)s.", email=link.user.email),
        next_url=url_for("reimbursement.subject", subject_id=subject.id),
        render=lambda: (subject_page(subject, invite=form), 422))
