"""Per-trial reimbursement policy: read it (defaults until first saved), change it with a reason."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.permissions import require
from app.extensions import db
from app.reimbursement import bp
from app.reimbursement.forms import policy_form
from app.reimbursement.services.policy import (
    POLICY_FIELDS,
    plain_language,
    policy_or_default,
    save_policy,
)
from app.trials.api import Trial, visible_trials


def _trial_or_404(trial_id):
    trial = db.session.scalar(visible_trials(current_user).where(Trial.id == trial_id))
    if trial is None:
        abort(404)
    return trial


def _page(trial, current, form):
    history = history_of(db.session, current, *current.categories) if current.id else []
    return render_template("reimbursement/policy.html", trial=trial, policy=current, form=form,
                           editable=current_user.can("reimbursement.policy"),
                           policy_text=plain_language(current), history=history), \
        422 if form.errors else 200


@bp.route("/trials/<int:trial_id>/policy")
@require("reimbursement.view")
def policy(trial_id):
    """Show a trial's policy (its defaults, unsaved, until someone changes it)."""
    trial = _trial_or_404(trial_id)
    current = policy_or_default(db.session, trial)
    form = policy_form(current)(obj=current)
    for rule in current.categories:
        form[f"{rule.category}_allowed"].data = rule.allowed
        form[f"{rule.category}_kind"].data = rule.kind
        form[f"{rule.category}_receipt_required"].data = rule.receipt_required
        form[f"{rule.category}_receipt_above"].data = rule.receipt_above
    form.reason.data = ""
    return _page(trial, current, form)


@bp.route("/trials/<int:trial_id>/policy", methods=["POST"])
@require("reimbursement.policy")
def change_policy(trial_id):
    """Change a trial's policy, giving a reason (the first change saves it)."""
    trial = _trial_or_404(trial_id)
    current = policy_or_default(db.session, trial)
    form = policy_form(current)()

    def change():
        values = {name: form[name].data for name in POLICY_FIELDS}
        categories = {rule.category: {
            "allowed": form[f"{rule.category}_allowed"].data,
            "kind": form[f"{rule.category}_kind"].data,
            "receipt_required": form[f"{rule.category}_receipt_required"].data,
            "receipt_above": form[f"{rule.category}_receipt_above"].data,
        } for rule in current.categories}
        return save_policy(db.session, trial, values, categories, form.reason.data)

    return perform(change, form=form, success=_("The reimbursement policy has been saved."),
                   next_url=url_for("reimbursement.policy", trial_id=trial.id),
                   render=lambda: _page(trial, policy_or_default(db.session, trial), form))
