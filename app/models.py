"""Import every model so metadata is complete for Alembic and relationships resolve."""

from app.audit.models import AuditChainHead, AuditEntry  # noqa: F401
from app.auth.models import User, UserRole, user_sites  # noqa: F401
from app.esign.models import Signature  # noqa: F401
from app.files.models import StoredFile  # noqa: F401
from app.jobs.models import Job  # noqa: F401
from app.notify.models import Notice, OutboxMessage  # noqa: F401
from app.reimbursement.models import (  # noqa: F401
    BankAccount,
    BatchItem,
    Claim,
    ClaimLine,
    ClaimStep,
    PatientLink,
    PaymentBatch,
    PolicyCategory,
    Receipt,
    ReimbursementPolicy,
)
from app.shipments.models import (  # noqa: F401
    Discrepancy,
    LoggerReading,
    LoggerUpload,
    QaDecision,
    Shipment,
    ShipmentExcursion,
    ShipmentKit,
)
from app.stock.models import (  # noqa: F401
    AccountabilityReview,
    Dispensing,
    Kit,
    KitArm,
    KitReturn,
    Location,
    Lot,
    Product,
    ResupplyLevel,
    StockBalance,
    StockEntry,
    SupplySettings,
)
from app.trials.models import Site, Subject, SubjectIdentity, Trial, TrialVisit  # noqa: F401
