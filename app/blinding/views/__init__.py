"""The blinding screens, one module per topic beside services/ of the same name."""

from app.blinding.views import (  # noqa: F401 - each module adds its routes to bp
    arms,
    batch_lines,
    batch_records,
    code_break,
    lists,
    randomise,
    reports,
)
