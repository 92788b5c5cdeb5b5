"""Patient expense reimbursement: portal, claims, validation, approval, SEPA batches."""

from flask import Blueprint

bp = Blueprint("reimbursement", __name__)
portal_bp = Blueprint("my", __name__)

from app.reimbursement.views import (  # noqa: E402, F401
    batches,
    behalf,
    claims,
    patients,
    policy,
    portal,
    review,
)
