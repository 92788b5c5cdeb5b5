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


def _register_audit_labels():
    from app.audit import ACTION_LABELS

    ACTION_LABELS.update({
        "claim_submitted": _l("Expense claim submitted"),
        "claim_validated": _l("Expense claim validated by the site"),
        "claim_approved": _l("Expense claim approved by finance"),
        "claim_rejected": _l("Expense claim rejected"),
        "claim_in_batch": _l("Expense claim put in a payment batch"),
        "claim_paid": _l("Expense claim paid"),
        "batch_released": _l("Payment batch released"),
        "batch_paid": _l("Payment batch paid"),
        "iban_revealed": _l("Full IBAN shown"),
    })


_register_audit_labels()

from app.reimbursement import (  # noqa: E402, F401
    batch_views,
    behalf_views,
    policy_views,
    portal_views,
    staff_views,
)

# The navigation entries this module adds in app/core/nav.py, named here so that this
# package's catalogue carries their translations.
NAV_LABELS = (_l("My expenses"), _l("Expense claims"), _l("Payment batches"))
