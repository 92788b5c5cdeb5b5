"""Therapy orders, their custody handoffs and condition legs, and LN2 dry shippers."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of, utcnow
from app.extensions import db

ORDER_STATUSES = {
    "scheduled": _l("Collection scheduled"),
    "collected": _l("Cells collected"),
    "to_lab": _l("In transit to the manufacturer"),
    "at_lab": _l("Received at the manufacturer"),
    "manufacturing": _l("Manufacturing"),
    "out_of_spec": _l("Out of specification"),
    "failed": _l("Manufacture failed"),
    "released": _l("Released"),
    "to_site": _l("In transit to the hospital"),
    "received": _l("Received at the hospital"),
    "stored": _l("Stored at the hospital"),
    "thawed": _l("Thawed"),
    "infused": _l("Infused"),
}
# The main path, in order: the dashboard's columns and the timeline's steps.
MAIN_PATH = ("scheduled", "collected", "to_lab", "at_lab", "manufacturing", "released",
             "to_site", "received", "stored", "thawed", "infused")
# Target hours a step may last before it is late (entry of the step to the next step).
STEP_TARGET_HOURS = {"scheduled": 24 * 21, "collected": 24, "to_lab": 48, "at_lab": 24,
                     "manufacturing": 24 * 14, "out_of_spec": 24 * 5, "released": 24 * 3,
                     "to_site": 48, "received": 24, "stored": 24 * 10, "thawed": 2}
PRODUCT_KINDS = {"car_t": _l("CAR-T cells"), "til": _l("Tumour-infiltrating lymphocytes")}
LEGS = {"to_lab": _l("Collection to the manufacturer"), "to_site": _l("Product to the hospital")}
QA_STATUSES = {"none": _l("No excursion"), "pending": _l("Waiting for a QA decision"),
               "accepted": _l("Accepted by QA"), "rejected": _l("Rejected by QA")}
SHIPPER_STATUSES = {
    "available": _l("Available"),
    "charged": _l("Charged with liquid nitrogen"),
    "in_use": _l("In use"),
    "requalification": _l("Waiting for requalification"),
    "retired": lazy_pgettext("dry shipper status", "Retired"),
}
SHIPPER_ID_KINDS = {"grai": _l("GS1 GRAI"), "serial": _l("Serial number")}
HANDOFF_STEPS = {
    "ship_to_lab": _l("Handed to the courier for the manufacturer"),
    "receive_at_lab": _l("Received at the manufacturer"),
    "ship_to_site": _l("Handed to the courier for the hospital"),
    "receive_at_site": _l("Received at the hospital"),
    "infuse": _l("Bedside check before infusion"),
}
CONDITIONS = {"intact": _l("Intact, sealed"), "damaged": _l("Packaging damaged"),
              "frozen": _l("Frozen, below -150 °C"), "cool": _l("Cool, 2-8 °C")}
# The collected cells travel cool; the cryopreserved product below -150 °C.
LEG_LIMIT_C = {"to_lab": Decimal("8.0"), "to_site": Decimal("-150.0")}


class TherapyOrder(Audited, TimestampMixin, db.Model):
    """One patient's autologous product, from collection to infusion."""

    __tablename__ = "cell_orders"
    __audit_type__ = "therapy_order"
    __table_args__ = (
        one_of("status", ORDER_STATUSES),
        one_of("product_kind", PRODUCT_KINDS),
        Index("ix_cell_orders_trial_status", "trial_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    coi: Mapped[str | None] = mapped_column(String(15), unique=True)
    product_kind: Mapped[str] = mapped_column(String(10), default="car_t")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    collection_number: Mapped[int] = mapped_column(default=1)
    collection_date: Mapped[date] = mapped_column(Date)
    manufacturing_slot: Mapped[date] = mapped_column(Date)
    bag_ids: Mapped[str | None] = mapped_column(String(200))
    volume_ml: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    cell_count: Mapped[str | None] = mapped_column(String(60))
    courier: Mapped[str | None] = mapped_column(String(80))
    logger_ids: Mapped[str | None] = mapped_column(String(120))
    coa_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    out_of_spec_reason: Mapped[str | None] = mapped_column(Text)
    physician_consent: Mapped[str | None] = mapped_column(String(200))
    shipper_id: Mapped[int | None] = mapped_column(ForeignKey("cell_shippers.id"))
    planned_transit_hours: Mapped[int | None]
    infused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    step_at: Mapped[datetime] = mapped_column(default=utcnow)
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
    collected_at: Mapped[datetime | None]
    to_lab_at: Mapped[datetime | None]
    at_lab_at: Mapped[datetime | None]
    manufacturing_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    to_site_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    stored_at: Mapped[datetime | None]
    thawed_at: Mapped[datetime | None]
    infused_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]

    shipper: Mapped["DryShipper | None"] = relationship()
    custody: Mapped[list["Custody"]] = relationship(order_by="Custody.occurred_at",
                                                    back_populates="order")
    legs: Mapped[list["ConditionLeg"]] = relationship(order_by="ConditionLeg.id",
                                                      back_populates="order")

    @property
    def status_label(self):
        """Return the translated step."""
        return ORDER_STATUSES.get(self.status, self.status)

    @property
    def reference(self):
        """Return the identifier, or the order number before the first collection."""
        return self.coi or f"CT-{self.id:06d}"

    def audit_label(self):
        """Return the chain of identity (never the patient)."""
        return self.reference

    def signature_content(self):
        """Return what a signature on the order binds (release, infusion)."""
        return {"coi": self.coi, "bag_ids": self.bag_ids, "coa_file_id": self.coa_file_id,
                "physician_consent": self.physician_consent}


class Custody(Audited, db.Model):
    """One handoff: who handed over, who received, where, when, in which condition."""

    __tablename__ = "cell_custody"
    __audit_type__ = "custody_record"
    __table_args__ = (one_of("step", HANDOFF_STEPS), one_of("condition", CONDITIONS),
                      Index("ix_cell_custody_order", "order_id", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("cell_orders.id"))
    step: Mapped[str] = mapped_column(String(20))
    handed_over_by: Mapped[str] = mapped_column(String(120))
    received_by: Mapped[str] = mapped_column(String(120))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    location: Mapped[str] = mapped_column(String(160))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    condition: Mapped[str] = mapped_column(String(20))
    temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    bag_scan: Mapped[str] = mapped_column(String(40))
    document_scan: Mapped[str] = mapped_column(String(40))

    order: Mapped[TherapyOrder] = relationship(back_populates="custody")

    @property
    def step_label(self):
        """Return the translated handoff."""
        return HANDOFF_STEPS.get(self.step, self.step)

    def audit_label(self):
        """Return the identifier and the handoff."""
        return f"{self.order.reference if self.order else self.order_id} {self.step}"

    def signature_content(self):
        """Return what the receiver's signature binds."""
        return {"order_id": self.order_id, "step": self.step,
                "handed_over_by": self.handed_over_by, "received_by": self.received_by,
                "location": self.location, "occurred_at": self.occurred_at,
                "condition": self.condition, "temperature_c": self.temperature_c,
                "bag_scan": self.bag_scan, "document_scan": self.document_scan}


class ConditionLeg(Audited, db.Model):
    """The logger data of one leg, judged against the product's limit."""

    __tablename__ = "cell_legs"
    __audit_type__ = "condition_leg"
    __table_args__ = (one_of("leg", LEGS), one_of("qa_status", QA_STATUSES),
                      Index("ix_cell_legs_order", "order_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("cell_orders.id"))
    leg: Mapped[str] = mapped_column(String(10))
    logger_serial: Mapped[str] = mapped_column(String(60))
    stored_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    readings: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime | None]
    last_at: Mapped[datetime | None]
    min_c: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    max_c: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    limit_c: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    minutes_out: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal("0"))
    qa_status: Mapped[str] = mapped_column(String(10), default="none")
    qa_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    qa_at: Mapped[datetime | None]
    qa_reason: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[TherapyOrder] = relationship(back_populates="legs")

    @property
    def leg_label(self):
        """Return the translated leg."""
        return LEGS.get(self.leg, self.leg)

    def audit_label(self):
        """Return the identifier and the leg."""
        return f"{self.order.reference if self.order else self.order_id} {self.leg}"

    def signature_content(self):
        """Return what a QA decision binds."""
        return {"order_id": self.order_id, "leg": self.leg, "min_c": self.min_c,
                "max_c": self.max_c, "minutes_out": self.minutes_out,
                "qa_status": self.qa_status, "qa_reason": self.qa_reason}


class DryShipper(Audited, TimestampMixin, db.Model):
    """A liquid-nitrogen dry shipper (dewar) tracked by its GRAI or serial number."""

    __tablename__ = "cell_shippers"
    __audit_type__ = "dry_shipper"
    __table_args__ = (one_of("status", SHIPPER_STATUSES), one_of("id_kind", SHIPPER_ID_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    id_kind: Mapped[str] = mapped_column(String(10), default="serial")
    model_name: Mapped[str] = mapped_column(String(80))
    static_hold_hours: Mapped[int]
    qualified_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="available")
    charged_at: Mapped[datetime | None]
    charge_record: Mapped[str | None] = mapped_column(String(200))
    dispatched_at: Mapped[datetime | None]
    requalified_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    uses: Mapped[int] = mapped_column(default=0)

    @property
    def status_label(self):
        """Return the translated state."""
        return SHIPPER_STATUSES.get(self.status, self.status)

    def audit_label(self):
        """Return the GRAI or serial."""
        return self.code

    def hold_hours_left(self, at):
        """Return the static hold time left at a moment (hours) since the last charging."""
        if self.charged_at is None:
            return 0.0
        used = (at - self.charged_at).total_seconds() / 3600.0
        return max(0.0, self.static_hold_hours - used)
