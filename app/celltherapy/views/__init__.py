"""Cell-therapy screens, one module per topic."""

from app.celltherapy.views import dashboard, orders, shippers, steps  # noqa: F401
