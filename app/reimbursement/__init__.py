"""Patient expense reimbursement: portal, claims, validation, approval, SEPA batches."""

from flask import Blueprint

bp = Blueprint("reimbursement", __name__)
portal_bp = Blueprint("my", __name__)

from app.reimbursement import (  # noqa: E402, F401
    batch_views,
    behalf_views,
    policy_views,
    portal_views,
    staff_views,
)
