"""The destruction screens, one module per topic beside services/ of the same name."""

from app.destruction.views import (  # noqa: F401 - each module adds its routes to bp
    authorisations,
    batches,
    overview,
    reconciliation,
    returns,
)
