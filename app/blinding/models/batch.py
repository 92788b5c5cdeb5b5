"""Masking and placebo batch records (GMP): what is made, materials, steps, checks, deviations.

A batch record belongs to a sponsor's order and produces one output lot (stock's catalogue).
Its lines are Audited, so every entry and correction is in the trail; a released record never
changes (the services refuse, and the state machine has no way back from "released").
"""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of
from app.extensions import db

QUANTITY = Numeric(14, 3)
BATCH_KINDS = {
    "placebo": _l("Placebo matching an active batch"),
    "over_encapsulation": _l("Over-encapsulation of a comparator"),
    "blinded_packaging": _l("Blinded packaging into identical kits"),
}
BATCH_STATUSES = {
    "draft": lazy_pgettext("batch record status", "Draft"),
    "in_production": _l("In production"),
    "awaiting_qa": _l("Awaiting QA release"),
    "released": lazy_pgettext("batch record status", "Released"),
    "rejected": lazy_pgettext("batch record status", "Rejected"),
}
BATCH_CHECK_KINDS = {
    "appearance": _l("Appearance match against the active product"),
    "weight": _l("Weight"),
    "count": _l("Count"),
}
DEVIATION_TOPICS = {"yield": _l("Yield"), "material": _l("Material reconciliation"),
                    "check": _l("In-process check"), "other": _l("Other")}
DEVIATION_STATUSES = {"open": lazy_pgettext("deviation status", "Open"),
                      "closed": lazy_pgettext("deviation status", "Closed")}


def _number(value):
    """Return a quantity or time as signed: content_hash says it one way, typed or stored."""
    return value


class BatchRecord(Audited, TimestampMixin, db.Model):
    """A masking or placebo batch record for a sponsor's order, released by QA."""

    __tablename__ = "batch_records"
    __audit_type__ = "batch_record"
    __table_args__ = (
        one_of("kind", BATCH_KINDS), one_of("status", BATCH_STATUSES),
        CheckConstraint("expected_quantity > 0", name="expected_positive"),
        CheckConstraint("yield_min_pct <= yield_max_pct", name="yield_limits_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    sponsor_order: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    matched_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    output_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), unique=True)
    quantity_unit: Mapped[str] = mapped_column(String(20))
    expected_quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    actual_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    yield_min_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    yield_max_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None]

    trial = relationship("Trial", lazy="joined")
    matched_lot = relationship("Lot", foreign_keys=[matched_lot_id])
    output_lot = relationship("Lot", foreign_keys=[output_lot_id], lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])
    released_by = relationship("User", foreign_keys=[released_by_id])
    materials: Mapped[list["BatchMaterial"]] = relationship(
        back_populates="record", order_by="BatchMaterial.id")
    steps: Mapped[list["BatchStep"]] = relationship(
        back_populates="record", order_by="BatchStep.position")
    checks: Mapped[list["BatchCheck"]] = relationship(
        back_populates="record", order_by="BatchCheck.id")
    deviations: Mapped[list["BatchDeviation"]] = relationship(
        back_populates="record", order_by="BatchDeviation.number",
        foreign_keys="BatchDeviation.record_id")

    @property
    def yield_pct(self):
        """Return actual / expected in per cent (two decimals), or None before it is known."""
        if self.actual_quantity is None:
            return None
        return (self.actual_quantity * 100 / self.expected_quantity).quantize(Decimal("0.01"))

    @property
    def yield_within_limits(self):
        """Return whether the yield is inside its limits (None before it is known)."""
        pct = self.yield_pct
        return None if pct is None else self.yield_min_pct <= pct <= self.yield_max_pct

    def signature_content(self):
        """Return what QA signs: the header, every material, step, check and deviation."""
        return {
            "number": self.number, "order": self.sponsor_order, "kind": self.kind,
            "matched_lot": self.matched_lot_id, "output_lot": self.output_lot_id,
            "expected": _number(self.expected_quantity),
            "actual": _number(self.actual_quantity),
            "materials": [m.content() for m in self.materials],
            "steps": [s.content() for s in self.steps],
            "checks": [c.content() for c in self.checks],
            "deviations": [d.content() for d in self.deviations],
        }

    def audit_label(self):
        """Return the batch record number."""
        return self.number

    def __str__(self):
        return self.number


class BatchMaterial(Audited, db.Model):
    """A material issued to the batch: its supplier lot and its reconciliation."""

    __tablename__ = "batch_materials"
    __audit_type__ = "batch_material"
    __table_args__ = (CheckConstraint("issued > 0", name="issued_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("batch_records.id"), index=True)
    material: Mapped[str] = mapped_column(String(200))
    supplier_lot: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(20))
    issued: Mapped[Decimal] = mapped_column(QUANTITY)
    used: Mapped[Decimal | None] = mapped_column(QUANTITY)
    returned: Mapped[Decimal | None] = mapped_column(QUANTITY)
    wasted: Mapped[Decimal | None] = mapped_column(QUANTITY)
    deviation_id: Mapped[int | None] = mapped_column(ForeignKey("batch_deviations.id"))

    record: Mapped[BatchRecord] = relationship(back_populates="materials")
    deviation = relationship("BatchDeviation", foreign_keys=[deviation_id])

    @property
    def reconciled(self):
        """Return whether used, returned and wasted were recorded."""
        return None not in (self.used, self.returned, self.wasted)

    @property
    def difference(self):
        """Return issued - (used + returned + wasted), or None before reconciliation."""
        if not self.reconciled:
            return None
        return self.issued - (self.used + self.returned + self.wasted)

    def content(self):
        """Return the line as signed content."""
        return [self.material, self.supplier_lot, self.unit, _number(self.issued),
                _number(self.used), _number(self.returned), _number(self.wasted)]

    def audit_label(self):
        """Return the material and its supplier lot."""
        return f"{self.material} · {self.supplier_lot}"


class BatchStep(Audited, db.Model):
    """A manufacturing step: the operator who did it and a different person who checked it."""

    __tablename__ = "batch_steps"
    __audit_type__ = "batch_step"
    __table_args__ = (
        UniqueConstraint("record_id", "position"),
        CheckConstraint("checker_id IS NULL OR checker_id <> operator_id",
                        name="checker_not_operator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("batch_records.id"), index=True)
    position: Mapped[int]
    instruction: Mapped[str] = mapped_column(Text)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None]
    operator_note: Mapped[str | None] = mapped_column(Text)
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]

    record: Mapped[BatchRecord] = relationship(back_populates="steps")
    operator = relationship("User", foreign_keys=[operator_id])
    checker = relationship("User", foreign_keys=[checker_id])

    def signature_content(self):
        """Return what the operator and the checker sign: the batch, the step, the operator."""
        return {"record": self.record_id, "position": self.position,
                "instruction": self.instruction, "operator": self.operator_id}

    def content(self):
        """Return the step as signed content."""
        return [self.position, self.instruction, self.operator_id, _number(self.done_at),
                self.checker_id, _number(self.checked_at)]

    def audit_label(self):
        """Return the step number."""
        return f"{self.position}"


class BatchCheck(Audited, db.Model):
    """An in-process check with its limits and result (appearance, weight, count)."""

    __tablename__ = "batch_checks"
    __audit_type__ = "batch_check"
    __table_args__ = (one_of("kind", BATCH_CHECK_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("batch_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(20))
    lower: Mapped[Decimal | None] = mapped_column(QUANTITY)
    upper: Mapped[Decimal | None] = mapped_column(QUANTITY)
    result: Mapped[Decimal | None] = mapped_column(QUANTITY)
    appearance_match: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)
    within_limits: Mapped[bool | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]
    deviation_id: Mapped[int | None] = mapped_column(ForeignKey("batch_deviations.id"))

    record: Mapped[BatchRecord] = relationship(back_populates="checks")
    checked_by = relationship("User", foreign_keys=[checked_by_id])
    deviation = relationship("BatchDeviation", foreign_keys=[deviation_id])

    @property
    def done(self):
        """Return whether a result was recorded."""
        return self.checked_at is not None

    def content(self):
        """Return the check as signed content."""
        return [self.kind, self.name, _number(self.lower), _number(self.upper),
                _number(self.result), self.appearance_match, self.comment, self.checked_by_id]

    def audit_label(self):
        """Return the check's name."""
        return self.name


class BatchDeviation(Audited, db.Model):
    """A deviation of a batch: description, impact, CAPA; closed before release."""

    __tablename__ = "batch_deviations"
    __audit_type__ = "batch_deviation"
    __table_args__ = (UniqueConstraint("record_id", "number"),
                      one_of("status", DEVIATION_STATUSES), one_of("topic", DEVIATION_TOPICS))

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("batch_records.id"), index=True)
    number: Mapped[int]
    topic: Mapped[str] = mapped_column(String(20), default="other")
    description: Mapped[str] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    capa: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    record: Mapped[BatchRecord] = relationship(back_populates="deviations",
                                               foreign_keys=[record_id])
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])

    def content(self):
        """Return the deviation as signed content."""
        return [self.number, self.topic, self.description, self.impact, self.capa, self.status]

    def audit_label(self):
        """Return the deviation's number within its batch record."""
        return f"#{self.number}"
