"""Unblinded-only reports: randomisation balance per stratum and site, kits per arm per site."""

from flask import render_template, request
from flask_login import current_user

from app.blinding import bp
from app.blinding.queries import balance_by_stratum_and_site, kits_by_arm_and_site
from app.core.permissions import require
from app.extensions import db
from app.trials.api import Trial, visible_trials


@bp.route("/reports")
@require("blinding.arms")
def reports():
    """Balance of arms per site and stratum, and kits per arm per site, for one trial."""
    trials = db.session.scalars(visible_trials(current_user, "blinding.arms")
                                .where(Trial.blinded.is_(True))
                                .order_by(Trial.protocol_code)).all()
    trial_id = request.args.get("trial", type=int) or (trials[0].id if trials else None)
    trial = next((t for t in trials if t.id == trial_id), None)
    balance = balance_by_stratum_and_site(db.session, trial.id) if trial else []
    kits = kits_by_arm_and_site(db.session, trial.id) if trial else []
    return render_template("blinding/reports.html", trial=trial,
                           trial_options=[(t.id, t.protocol_code) for t in trials],
                           balance=balance, kits=kits)
