"""Medication stock: products, lots, kits, the stock ledger, dispensing and accountability."""

from flask import Blueprint

bp = Blueprint("stock", __name__)


@bp.app_context_processor
def stock_labels():
    """Give templates the translated labels of kit states, events and lot statuses."""
    from app.stock.ledger_models import EVENTS, RETURN_CONDITIONS
    from app.stock.models import KIT_STATES, LOCATION_KINDS, LOT_STATUSES, PRODUCT_KINDS

    return {"kit_states": KIT_STATES, "stock_events": EVENTS, "lot_statuses": LOT_STATUSES,
            "product_kinds": PRODUCT_KINDS, "location_kinds": LOCATION_KINDS,
            "return_conditions": RETURN_CONDITIONS}


from app.stock import (  # noqa: E402, F401
    views_accountability,
    views_catalog,
    views_kits,
    views_site,
    views_stock,
)
