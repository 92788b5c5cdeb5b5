"""Shipments and the cold chain: orders, picking, dispatch, logger data, receipt."""

from flask import Blueprint

bp = Blueprint("shipments", __name__)


@bp.app_context_processor
def shipment_labels():
    """Give templates the translated labels of shipment kinds, states and outcomes."""
    from app.shipments.models import (
        DISCREPANCY_STATUSES,
        QA_OUTCOMES,
        RECEIPT_OUTCOMES,
        SHIPMENT_KINDS,
        SHIPMENT_STATUSES,
    )

    return {"shipment_kinds": SHIPMENT_KINDS, "shipment_statuses": SHIPMENT_STATUSES,
            "receipt_outcomes": RECEIPT_OUTCOMES, "qa_outcomes": QA_OUTCOMES,
            "discrepancy_statuses": DISCREPANCY_STATUSES}


from app.shipments import (  # noqa: E402, F401
    views,
    views_coldchain,
    views_flow,
    views_pdf,
    views_resupply,
)
