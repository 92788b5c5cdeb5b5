"""The stock screens, one module per topic (routes register on the stock blueprint)."""

from app.stock.views import (  # noqa: F401
    accountability,
    catalog,
    kits,
    resupply,
    site,
    stock,
    storage,
)
