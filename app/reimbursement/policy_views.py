"""Per-trial reimbursement policy: read it, change it with a reason."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.core.permissions import require
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.forms import policy_form
from app.reimbursement.policy import POLICY_FIELDS, plain_language, policy_for, update_policy
from app.trials.models import Trial
from app.trials.queries import visible_trials


def _trial_or_404(trial_id):
    trial = db.session.scalar(visible_trials(current_user).where(Trial.id == trial_id))
    if trial is None:
        abort(404)
    return trial


@bp.route("/trials/<int:trial_id>/policy", methods=["GET", "POST"])
@require("reimbursement.view")
def policy(trial_id):
    """Show a trial's policy; finance and admins change it, giving a reason."""
    trial = _trial_or_404(trial_id)
    current = policy_for(db.session, trial)
    db.session.commit()
    editable = current_user.can("reimbursement.policy")
    form = policy_form(current)(obj=current)
    if request.method == "GET":
        for rule in current.categories:
            form[f"{rule.category}_allowed"].data = rule.allowed
            form[f"{rule.category}_kind"].data = rule.kind
            form[f"{rule.category}_receipt_required"].data = rule.receipt_required
            form[f"{rule.category}_receipt_above"].data = rule.receipt_above
        form.reason.data = ""
    if request.method == "POST":
        if not editable:
            abort(403)
        if form.validate_on_submit():
            values = {name: form[name].data for name in POLICY_FIELDS}
            categories = {rule.category: {
                "allowed": form[f"{rule.category}_allowed"].data,
                "kind": form[f"{rule.category}_kind"].data,
                "receipt_required": form[f"{rule.category}_receipt_required"].data,
                "receipt_above": form[f"{rule.category}_receipt_above"].data,
            } for rule in current.categories}
            update_policy(db.session, current, values, categories, form.reason.data)
            db.session.commit()
            flash(_("The reimbursement policy has been saved."), "success")
            return redirect(url_for("reimbursement.policy", trial_id=trial.id))
    return render_template("reimbursement/policy.html", trial=trial, policy=current, form=form,
                           editable=editable, policy_text=plain_language(current),
                           history=history_of(db.session, current, *current.categories)), \
        422 if form.errors else 200
