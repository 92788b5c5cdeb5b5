"""Blinding forms, split by topic: randomisation (lists, subjects, breaks) and batch records."""

from app.blinding.forms.batch import (  # noqa: F401
    BatchCheckForm,
    BatchRecordForm,
    CheckResultForm,
    CloseDeviationForm,
    DeviationForm,
    MaterialForm,
    ReconcileForm,
    RejectBatchForm,
    ReleaseBatchForm,
    ReopenBatchForm,
    StepCheckForm,
    StepDoneForm,
    StepForm,
    YieldForm,
)
from app.blinding.forms.randomisation import (  # noqa: F401
    ArmKitListForm,
    CodeBreakForm,
    GenerateListForm,
    RandomiseForm,
    RetireListForm,
    StrataForm,
    UploadListForm,
    VerifyListForm,
    password_field,
)
