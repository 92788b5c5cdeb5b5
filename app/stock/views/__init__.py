"""The stock screens, one module per topic (routes register on the stock blueprint)."""

from app.stock.views import accountability, catalog, kits, resupply, site, stock  # noqa: F401
