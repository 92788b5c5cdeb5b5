"""Trials, visit schedules, sites and subjects."""

from flask import Blueprint

bp = Blueprint("trials", __name__)


@bp.app_context_processor
def status_labels():
    """Give every template the translated labels of trial, site and subject states."""
    from app.trials.models import SITE_STATUSES, SUBJECT_STATUSES, TRIAL_KINDS, TRIAL_STATUSES

    return {"trial_kinds": TRIAL_KINDS, "trial_statuses": TRIAL_STATUSES,
            "site_statuses": SITE_STATUSES, "subject_statuses": SUBJECT_STATUSES}


from app.trials import site_views, subject_views, views  # noqa: E402, F401
