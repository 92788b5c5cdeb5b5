"""Trial, site and subject screens, one module per topic."""

from app.trials.views import sites, subjects, trials  # noqa: F401
