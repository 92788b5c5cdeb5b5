"""The shipment screens, one module per topic beside services/ of the same name."""

from app.shipments.views import (  # noqa: F401 - each module adds its routes to bp
    board,
    dispatch,
    documents,
    logger,
    orders,
    picking,
    qa,
    receipt,
    resupply,
)
