"""A patient's vein-to-vein timeline and a trial's dashboard."""

from datetime import timedelta

from flask import abort, render_template, url_for
from flask_login import current_user

from app.celltherapy import bp
from app.celltherapy.models import (
    CONDITIONS,
    HANDOFF_STEPS,
    MAIN_PATH,
    ORDER_STATUSES,
    TherapyOrder,
)
from app.celltherapy.queries import (
    late_orders,
    moment_formatter,
    order_or_404,
    orders_by_step,
    step_times,
    vein_to_vein_by_site_month,
    vein_to_vein_chart,
    vein_to_vein_hours,
)
from app.core import clock
from app.core.permissions import require
from app.extensions import db
from app.trials.api import Subject, Trial, visible_trials


def stay_claim_link(order):
    """Return the reimbursement page with a stay claim prefilled around the treatment."""
    start = (order.received_at or order.collected_at)
    if start is None or not current_user.can("reimbursement.enter"):
        return None
    end = (order.infused_at + timedelta(days=28)).date() if order.infused_at else None
    end = min(end, clock.today()) if end else clock.today()
    return url_for("reimbursement.subject", subject_id=order.subject_id, period="stay",
                   stay_start=start.date().isoformat(), stay_end=end.isoformat())


@bp.route("/orders/<int:order_id>/timeline")
@require("celltherapy.view")
def timeline(order_id):
    """Identity, custody and condition events, times between steps, stays and claims."""
    order = order_or_404(current_user, order_id)
    claims, subject = [], None
    if current_user.can("celltherapy.subject"):
        from app.reimbursement.api import stay_claims_of

        subject = db.session.get(Subject, order.subject_id)
        if current_user.can("reimbursement.view"):
            claims = stay_claims_of(db.session, order.subject_id)
    return render_template("celltherapy/timeline.html", order=order, steps=step_times(order),
                           v2v=vein_to_vein_hours(order), claims=claims, subject=subject,
                           claim_link=stay_claim_link(order), when=moment_formatter(),
                           step_words={k: str(v) for k, v in HANDOFF_STEPS.items()},
                           condition_words={k: str(v) for k, v in CONDITIONS.items()})


@bp.route("/trials/<int:trial_id>/dashboard")
@require("celltherapy.view")
def dashboard(trial_id):
    """Orders by step, late steps, vein-to-vein by site and month."""
    trial = db.session.scalar(visible_trials(current_user, "celltherapy.view").where(
        Trial.id == trial_id, Trial.kind == "cell_therapy"))
    if trial is None:
        abort(404)
    scope = current_user.site_scope("celltherapy.view")
    counts = orders_by_step(db.session, trial.id, scope)
    late, late_total = late_orders(db.session, trial.id, scope)
    figures = vein_to_vein_by_site_month(db.session, trial.id, scope)
    steps = [s for s in ORDER_STATUSES if s in MAIN_PATH or counts.get(s)]
    return render_template("celltherapy/dashboard.html", trial=trial, counts=counts,
                           steps=steps, late=late, late_total=late_total, figures=figures,
                           chart=vein_to_vein_chart(figures))


@bp.route("/")
@require("celltherapy.view")
def index():
    """The cell-therapy trials the user sees, each with its dashboard."""
    trials = db.session.scalars(visible_trials(current_user, "celltherapy.view").where(
        Trial.kind == "cell_therapy").order_by(Trial.protocol_code)).all()
    totals = dict(db.session.execute(
        db.select(TherapyOrder.trial_id, db.func.count()).group_by(TherapyOrder.trial_id)).all())
    return render_template("celltherapy/index.html", trials=trials, totals=totals)
