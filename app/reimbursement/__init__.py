"""Patient expense reimbursement: portal, claims, validation, approval, SEPA batches."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("reimbursement", __name__)
portal_bp = Blueprint("my", __name__)


@bp.app_context_processor
def reimbursement_labels():
    """Give templates the translated labels of claim and batch states."""
    from app.reimbursement.models import (
        BATCH_STATUSES,
        CATEGORIES,
        CLAIM_STATUSES,
        DECISIONS,
        KINDS,
        RELATIONS,
    )

    return {"claim_statuses": CLAIM_STATUSES, "claim_categories": CATEGORIES,
            "claim_kinds": KINDS, "line_decisions": DECISIONS, "batch_statuses": BATCH_STATUSES,
            "claimant_relations": RELATIONS}


from app.reimbursement import (  # noqa: E402, F401
    batch_views,
    policy_views,
    portal_views,
    staff_views,
)

# The navigation entries this module adds in app/core/nav.py, named here so that this
# package's catalogue carries their translations.
NAV_LABELS = (_l("My expenses"), _l("Expense claims"), _l("Payment batches"))
