"""Labelling models: imports and release (imports.py), templates, runs and relabelling."""

from app.labelling.models.imports import (
    COUNTRY_NAMES,
    DOCUMENT_KINDS,
    CountryRelease,
    ImportDocument,
    ImportRecord,
    QpCertification,
    import_lots,
)
from app.labelling.models.labels import (
    CAMPAIGN_STATUSES,
    LANGUAGES,
    LAYOUTS,
    LETTERS,
    PACKAGINGS,
    PLACES,
    RUN_SCOPES,
    RUN_STATUSES,
    TEMPLATE_STATUSES,
    ExpiryExtension,
    LabelPrint,
    LabelRun,
    LabelTemplate,
    RelabelledKit,
)

__all__ = [
    "CAMPAIGN_STATUSES", "COUNTRY_NAMES", "DOCUMENT_KINDS", "LANGUAGES", "LAYOUTS", "LETTERS",
    "PACKAGINGS", "PLACES", "RUN_SCOPES", "RUN_STATUSES",
    "TEMPLATE_STATUSES", "CountryRelease", "ExpiryExtension", "ImportDocument", "ImportRecord",
    "LabelPrint", "LabelRun", "LabelTemplate", "QpCertification", "RelabelledKit",
    "import_lots",
]
