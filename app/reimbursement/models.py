"""Patient links, bank accounts, per-trial policies, claims, receipts and payment batches."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of, utcnow
from app.core.templating import local_date
from app.extensions import db

Money = Numeric(12, 2)

RELATIONS = {"patient": _l("Patient"), "caregiver": _l("Caregiver")}

CATEGORIES = {
    "car_mileage": _l("Car (kilometres)"),
    "public_transport": _l("Public transport"),
    "taxi": _l("Taxi"),
    "parking_tolls": _l("Parking and tolls"),
    "meals": _l("Meals / per diem"),
    "lodging": _l("Lodging"),
    "other": _l("Other (childcare, lost earnings...)"),
}
KINDS = {
    "actual_cost": _l("Actual cost"),
    "flat_allowance": _l("Flat allowance"),
    "compensation": _l("Compensation"),
}
CLAIM_STATUSES = {
    "draft": _l("Draft"),
    "submitted": lazy_pgettext("claim status", "Submitted"),
    "validated": _l("Validated by the site"),
    "approved": _l("Approved by finance"),
    "rejected": lazy_pgettext("claim status", "Rejected"),
    "in_batch": _l("In a payment batch"),
    "paid": _l("Paid"),
}
DECISIONS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "reduced": _l("Reduced"),
    "rejected": _l("Rejected"),
}
BATCH_STATUSES = {"draft": _l("Prepared"),
                  "released": lazy_pgettext("batch status", "Released"), "paid": _l("Paid"),
                  "cancelled": lazy_pgettext("batch status", "Cancelled")}


class PatientLink(Audited, TimestampMixin, db.Model):
    """A portal account that claims for a subject: the patient or their caregiver."""

    __tablename__ = "patient_links"
    __audit_type__ = "patient_link"
    __table_args__ = (
        one_of("relation", RELATIONS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    subject = relationship("Subject", lazy="joined")

    def audit_label(self):
        """Return subject code and relation, never the name."""
        return f"{self.subject.code if self.subject else self.subject_id} {self.relation}"


class BankAccount(Audited, TimestampMixin, db.Model):
    """Where a payee is paid: IBAN kept encrypted, only its last digits in clear."""

    __tablename__ = "bank_accounts"
    __audit_type__ = "bank_account"
    __audit_redact__ = frozenset({"iban_encrypted", "holder_name"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    holder_name: Mapped[str] = mapped_column(String(140))
    iban_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    iban_country: Mapped[str] = mapped_column(String(2))
    iban_last4: Mapped[str] = mapped_column(String(4))
    bic: Mapped[str | None] = mapped_column(String(11))
    holder_is_payee: Mapped[bool] = mapped_column(default=True)
    authorisation_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))

    user = relationship("User", lazy="joined")

    def audit_label(self):
        """Return the masked account."""
        return self.masked_iban

    @property
    def masked_iban(self):
        """Return the IBAN with everything but country and last four digits hidden."""
        return f"{self.iban_country}•• •••• •••• •••• {self.iban_last4}"


class ReimbursementPolicy(Audited, TimestampMixin, db.Model):
    """A trial's rates and caps; edits need a reason."""

    __tablename__ = "reimbursement_policies"
    __audit_type__ = "reimbursement_policy"
    __audit_reason_required__ = True
    __table_args__ = (
        CheckConstraint("mileage_rate > 0", name="mileage_rate_positive"),
        CheckConstraint("max_km_per_trip > 0", name="max_km_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), unique=True)
    mileage_rate: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("0.26"))
    max_km_per_trip: Mapped[int] = mapped_column(default=1000)
    cap_per_line: Mapped[Decimal | None] = mapped_column(Money)
    cap_per_visit: Mapped[Decimal | None] = mapped_column(Money)
    cap_per_month: Mapped[Decimal | None] = mapped_column(Money)
    per_diem_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("30.00"))
    per_night_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("90.00"))
    days_from_visit: Mapped[int] = mapped_column(default=3)

    trial = relationship("Trial", lazy="joined")
    categories: Mapped[list["PolicyCategory"]] = relationship(
        back_populates="policy", lazy="selectin", order_by="PolicyCategory.position",
        cascade="all, delete-orphan")

    def audit_label(self):
        """Return the trial code."""
        return self.trial.protocol_code if self.trial else str(self.trial_id)

    def rule(self, category):
        """Return the PolicyCategory of a category, or None when not configured."""
        return next((c for c in self.categories if c.category == category), None)


class PolicyCategory(Audited, db.Model):
    """One expense category of a policy: allowed, how it is paid, when a receipt is needed."""

    __tablename__ = "policy_categories"
    __audit_type__ = "policy_category"
    __audit_reason_required__ = True
    __table_args__ = (
        UniqueConstraint("policy_id", "category"),
        one_of("category", CATEGORIES),
        one_of("kind", KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("reimbursement_policies.id"))
    category: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    allowed: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[str] = mapped_column(String(20), default="actual_cost")
    receipt_required: Mapped[bool] = mapped_column(default=True)
    receipt_above: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))

    policy: Mapped[ReimbursementPolicy] = relationship(back_populates="categories")

    def audit_label(self):
        """Return trial and category."""
        return f"{self.policy.audit_label() if self.policy else ''} {self.category}"

    def needs_receipt(self, amount):
        """Return True when a line of this amount needs a receipt."""
        return self.receipt_required and Decimal(amount or 0) > (self.receipt_above or 0)


class Claim(Audited, TimestampMixin, db.Model):
    """An expense claim by a patient or caregiver for a visit or a stay."""

    __tablename__ = "claims"
    __audit_type__ = "claim"
    __table_args__ = (
        one_of("status", CLAIM_STATUSES),
        CheckConstraint("stay_end IS NULL OR stay_start <= stay_end", name="stay_in_order"),
        Index("ix_claims_status_submitted", "status", "submitted_at"),
        Index("ix_claims_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("trial_visits.id"))
    stay_start: Mapped[date | None] = mapped_column(Date)
    stay_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    on_behalf: Mapped[bool] = mapped_column(default=False)
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    declaration_accepted: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    validated_at: Mapped[datetime | None]
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    total_claimed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    total_approved: Mapped[Decimal | None] = mapped_column(Money)

    subject = relationship("Subject", lazy="joined")
    site = relationship("Site", lazy="joined", innerjoin=True)
    visit = relationship("TrialVisit", lazy="joined")
    claimant = relationship("User", foreign_keys=[claimant_id], lazy="joined")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    validated_by = relationship("User", foreign_keys=[validated_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    lines: Mapped[list["ClaimLine"]] = relationship(
        back_populates="claim", order_by="ClaimLine.id", cascade="all, delete-orphan")
    steps: Mapped[list["ClaimStep"]] = relationship(order_by="ClaimStep.id")

    def audit_label(self):
        """Return the claim reference."""
        return self.reference

    @property
    def reference(self):
        """Return the reference printed on transfers and sheets (no trial or disease)."""
        return f"RC-{self.id:06d}"

    @property
    def period_label(self):
        """Return the visit name or the stay dates."""
        if self.visit is not None:
            return f"V{self.visit.number} · {self.visit.name}"
        if self.stay_start:
            end = self.stay_end or self.stay_start
            return f"{local_date(self.stay_start)} – {local_date(end)}"
        return ""

    def signature_content(self):
        """Return the claim content a step signs over."""
        return {
            "reference": self.reference, "subject": self.subject_id,
            "claimant": self.claimant_id, "visit": self.visit_id,
            "stay": [self.stay_start, self.stay_end], "status": self.status,
            "lines": [[ln.id, ln.category, ln.line_date, ln.amount, ln.site_amount,
                       ln.approved_amount, [r.file_sha256 for r in ln.receipts]]
                      for ln in self.lines],
        }


class ClaimLine(Audited, db.Model):
    """One expense of a claim with what the site and finance decided about it."""

    __tablename__ = "claim_lines"
    __audit_type__ = "claim_line"
    __audit_patient_text__ = frozenset({"description"})  # typed by the patient
    __audit_deletable__ = True  # only while the claim is a draft (checked in the service)
    __table_args__ = (
        one_of("category", CATEGORIES),
        one_of("kind", KINDS),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        one_of("site_decision", DECISIONS),
        one_of("finance_decision", DECISIONS),
        CheckConstraint("site_amount IS NULL OR site_amount >= 0", name="site_amount_positive"),
        CheckConstraint("approved_amount IS NULL OR approved_amount >= 0",
                        name="approved_amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    line_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    amount: Mapped[Decimal] = mapped_column(Money)
    site_decision: Mapped[str] = mapped_column(String(20), default="pending")
    site_amount: Mapped[Decimal | None] = mapped_column(Money)
    site_reason: Mapped[str | None] = mapped_column(String(500))
    finance_decision: Mapped[str] = mapped_column(String(20), default="pending")
    approved_amount: Mapped[Decimal | None] = mapped_column(Money)
    finance_reason: Mapped[str | None] = mapped_column(String(500))
    receipt_requested: Mapped[bool] = mapped_column(default=False)
    receipt_request_note: Mapped[str | None] = mapped_column(String(300))

    claim: Mapped[Claim] = relationship(back_populates="lines")
    receipts: Mapped[list["Receipt"]] = relationship(
        back_populates="line", order_by="Receipt.id", lazy="selectin")

    def audit_label(self):
        """Return the claim reference and line category."""
        return f"{self.claim.reference if self.claim else self.claim_id} {self.category}"

    @property
    def reason_for_patient(self):
        """Return the reason the patient sees for a reduction or rejection."""
        return self.finance_reason or self.site_reason


class Receipt(Audited, db.Model):
    """A receipt file attached to a claim line."""

    __tablename__ = "receipts"
    __audit_type__ = "receipt"
    __audit_patient_label__ = True  # its label is the file name the patient chose
    __audit_deletable__ = True  # only with its line, while the claim is a draft

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("claim_lines.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    after_submission: Mapped[bool] = mapped_column(default=False)

    line: Mapped[ClaimLine] = relationship(back_populates="receipts")
    file = relationship("StoredFile", lazy="joined")

    def audit_label(self):
        """Return the receipt's file name."""
        return self.file.original_name if self.file else str(self.file_id)


class ClaimStep(db.Model):
    """One step of a claim's timeline, append-only: who moved it to which status, when."""

    __tablename__ = "claim_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class PaymentBatch(Audited, TimestampMixin, db.Model):
    """A SEPA credit transfer of approved claims; released by a second person, paid once."""

    __tablename__ = "payment_batches"
    __audit_type__ = "payment_batch"
    __table_args__ = (
        one_of("status", BATCH_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    execution_date: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Money)
    count: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None]
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    value_date: Mapped[date | None]
    bank_reference: Mapped[str | None] = mapped_column(String(35))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    released_by = relationship("User", foreign_keys=[released_by_id])
    paid_by = relationship("User", foreign_keys=[paid_by_id])
    items: Mapped[list["BatchItem"]] = relationship(
        back_populates="batch", order_by="BatchItem.id")

    def audit_label(self):
        """Return the message id."""
        return self.message_id

    def signature_content(self):
        """Return what a release signs: the message id and every transfer."""
        return {"message_id": self.message_id, "execution_date": self.execution_date,
                "total": self.total, "count": self.count,
                "items": [[i.claim_id, i.amount, i.payee_name, i.iban_last4]
                          for i in self.items]}


class BatchItem(Audited, db.Model):
    """One transfer of a batch, kept for ever (append-only).

    A claim is in at most one batch that is not cancelled: ``attempt`` counts the claim's
    earlier items (each of a cancelled batch), and (claim, attempt) is unique, so two batches
    built at once cannot both take the claim's next attempt.
    """

    __tablename__ = "batch_items"
    __audit_type__ = "batch_item"
    __audit_redact__ = frozenset({"iban_encrypted", "payee_name"})
    __table_args__ = (UniqueConstraint("claim_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    attempt: Mapped[int] = mapped_column(default=0, server_default="0")
    amount: Mapped[Decimal] = mapped_column(Money)
    payee_name: Mapped[str] = mapped_column(String(140))
    iban_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    iban_last4: Mapped[str] = mapped_column(String(4))
    bic: Mapped[str | None] = mapped_column(String(11))

    batch: Mapped[PaymentBatch] = relationship(back_populates="items")
    claim = relationship("Claim", lazy="joined")

    def audit_label(self):
        """Return batch and claim reference."""
        return f"{self.batch_id} RC-{self.claim_id:06d}"
