"""Blinding records, split by topic: randomisation (arms, lists, breaks) and batch records."""

from app.blinding.models.batch import (  # noqa: F401
    BATCH_CHECK_KINDS,
    BATCH_KINDS,
    BATCH_STATUSES,
    DEVIATION_STATUSES,
    DEVIATION_TOPICS,
    BatchCheck,
    BatchDeviation,
    BatchMaterial,
    BatchRecord,
    BatchStep,
)
from app.blinding.models.randomisation import (  # noqa: F401
    ALGORITHM,
    ALGORITHM_VERSION,
    ARMS_MAX,
    CODE_BREAK_LABELS,
    LIST_PURPOSES,
    LIST_SOURCES,
    LIST_STATUSES,
    CodeBreak,
    KitArm,
    Randomisation,
    RandomisationList,
    RandomisationSlot,
    StrataCorrection,
)
