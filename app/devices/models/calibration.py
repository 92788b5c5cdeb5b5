"""Calibration plans with their tolerances, and ISO/IEC 17025 7.8 calibration records."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of
from app.devices.models.labels import DECISION_RULES, LAB_KINDS, RECORD_STATES, RESULTS
from app.extensions import db

Value = Numeric(16, 6)


class CalibrationPlan(Audited, TimestampMixin, db.Model):
    """A recurring calibration or check of a device; we compute its next due date."""

    __tablename__ = "calibration_plans"
    __audit_type__ = "calibration_plan"
    __table_args__ = (
        one_of("lab_kind", LAB_KINDS),
        CheckConstraint("interval_days > 0", name="interval_positive"),
        CheckConstraint("warn_days >= 0", name="warn_not_negative"),
        Index("ix_calibration_plans_active_due", "active", "next_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    interval_days: Mapped[int]
    warn_days: Mapped[int] = mapped_column(default=14)
    procedure: Mapped[str] = mapped_column(String(200))
    lab_kind: Mapped[str] = mapped_column(String(10))
    lab_name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    last_done_on: Mapped[date | None] = mapped_column(Date)
    next_due: Mapped[date] = mapped_column(Date)

    device = relationship("Device", lazy="joined")
    tolerances: Mapped[list["PlanTolerance"]] = relationship(
        back_populates="plan", order_by="PlanTolerance.id")

    def audit_label(self):
        """Return the device serial and plan name."""
        return f"{self.device.serial if self.device else self.device_id} · {self.name}"


class PlanTolerance(Audited, db.Model):
    """The maximum permissible error of one measured quantity in a plan."""

    __tablename__ = "plan_tolerances"
    __audit_type__ = "plan_tolerance"
    __table_args__ = (CheckConstraint("tolerance > 0", name="tolerance_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("calibration_plans.id"), index=True)
    quantity: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20))
    tolerance: Mapped[Decimal] = mapped_column(Value)

    plan: Mapped[CalibrationPlan] = relationship(back_populates="tolerances")

    def audit_label(self):
        """Return quantity and tolerance."""
        return f"{self.quantity} ±{self.tolerance} {self.unit}"


class CalibrationRecord(Audited, TimestampMixin, db.Model):
    """One calibration with every element ISO/IEC 17025:2017 7.8.2.1 and 7.8.4.1 ask for."""

    __tablename__ = "calibration_records"
    __audit_type__ = "calibration_record"
    __table_args__ = (
        one_of("status", RECORD_STATES),
        one_of("decision_rule", DECISION_RULES),
        one_of("as_found_result", RESULTS),
        one_of("as_left_result", RESULTS),
        Index("ix_calibration_records_device_on", "device_id", "calibrated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("calibration_plans.id"), index=True)
    certificate_number: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    customer: Mapped[str] = mapped_column(String(200))
    lab_name: Mapped[str] = mapped_column(String(200))
    lab_address: Mapped[str] = mapped_column(String(500))
    accreditation_body: Mapped[str | None] = mapped_column(String(100))
    accreditation_number: Mapped[str | None] = mapped_column(String(60))
    external: Mapped[bool] = mapped_column(default=False)
    performed_at_place: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(200))
    deviations: Mapped[str | None] = mapped_column(Text)
    condition_on_receipt: Mapped[str] = mapped_column(String(500))
    received_on: Mapped[date] = mapped_column(Date)
    calibrated_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    temperature_c: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    humidity_pct: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    environment_note: Mapped[str | None] = mapped_column(String(200))
    decision_rule: Mapped[str] = mapped_column(String(20))
    as_found_result: Mapped[str] = mapped_column(String(20))
    as_left_result: Mapped[str] = mapped_column(String(20))
    adjusted: Mapped[bool] = mapped_column(default=False)
    opinion: Mapped[str | None] = mapped_column(Text)
    certificate_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    performed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    performed_at: Mapped[datetime | None]
    authorised_at: Mapped[datetime | None]

    device = relationship("Device", lazy="joined")
    plan: Mapped[CalibrationPlan] = relationship()
    points: Mapped[list["CalibrationPoint"]] = relationship(
        back_populates="record", order_by="CalibrationPoint.id")
    standards: Mapped[list["RecordStandard"]] = relationship(
        back_populates="record", order_by="RecordStandard.id")
    performed_by = relationship("User", foreign_keys=[performed_by_id])
    authorised_by = relationship("User", foreign_keys=[authorised_by_id])

    def audit_label(self):
        """Return the certificate number."""
        return self.certificate_number

    @property
    def out_of_tolerance(self):
        """Return True when the device was found outside its tolerance (as-found)."""
        return self.as_found_result in ("conditional_fail", "fail")

    @property
    def left_good(self):
        """Return True when the device left the calibration within tolerance."""
        return self.as_left_result in ("pass", "conditional_pass")

    def signature_content(self):
        """Return every result the performer and the authoriser sign."""
        return {
            "certificate_number": self.certificate_number, "device_id": self.device_id,
            "calibrated_on": self.calibrated_on, "decision_rule": self.decision_rule,
            "as_found": self.as_found_result, "as_left": self.as_left_result,
            "points": [[p.quantity, p.nominal, p.as_found, p.as_left, p.tolerance,
                        p.uncertainty, p.k] for p in self.points],
            "standards": [[s.standard_id, s.certificate_number, s.due_on]
                          for s in self.standards],
        }


class CalibrationPoint(Audited, db.Model):
    """One measured point: nominal, as-found, as-left, tolerance, expanded uncertainty, k."""

    __tablename__ = "calibration_points"
    __audit_type__ = "calibration_point"
    __table_args__ = (
        CheckConstraint("tolerance > 0", name="tolerance_positive"),
        CheckConstraint("uncertainty >= 0", name="uncertainty_not_negative"),
        CheckConstraint("k > 0", name="k_positive"),
        one_of("found_result", RESULTS),
        one_of("left_result", RESULTS, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("calibration_records.id"), index=True)
    quantity: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20))
    nominal: Mapped[Decimal] = mapped_column(Value)
    as_found: Mapped[Decimal] = mapped_column(Value)
    as_left: Mapped[Decimal | None] = mapped_column(Value)
    tolerance: Mapped[Decimal] = mapped_column(Value)
    uncertainty: Mapped[Decimal] = mapped_column(Value)
    k: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    found_result: Mapped[str] = mapped_column(String(20))
    left_result: Mapped[str | None] = mapped_column(String(20))

    record: Mapped[CalibrationRecord] = relationship(back_populates="points")

    @property
    def found_error(self):
        """Return as-found minus nominal."""
        return self.as_found - self.nominal

    @property
    def left_error(self):
        """Return as-left minus nominal (None without an adjustment)."""
        return None if self.as_left is None else self.as_left - self.nominal

    def audit_label(self):
        """Return quantity and nominal value."""
        return f"{self.quantity} {self.nominal} {self.unit}"


class RecordStandard(Audited, db.Model):
    """A reference standard used in a calibration, as it stood that day."""

    __tablename__ = "record_standards"
    __audit_type__ = "record_standard"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("calibration_records.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    certificate_number: Mapped[str] = mapped_column(String(60))
    due_on: Mapped[date] = mapped_column(Date)

    record: Mapped[CalibrationRecord] = relationship(back_populates="standards")
    standard = relationship("Device", lazy="joined")

    def audit_label(self):
        """Return the standard's serial."""
        return self.standard.serial if self.standard else str(self.standard_id)
