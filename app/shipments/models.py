"""Shipments, the kits on them, logger data, excursions, QA decisions and discrepancies."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of, utcnow
from app.extensions import db

SHIPMENT_KINDS = {
    "initial": _l("Initial supply (depot → site)"),
    "resupply": _l("Resupply (depot → site)"),
    "return": _l("Return (site → depot)"),
    "transfer": _l("Transfer (depot → depot)"),
    "patient": _l("Direct to patient (depot → home)"),
}
SHIPMENT_STATUSES = {
    "draft": _l("Draft"), "ordered": _l("Ordered"), "picked": _l("Picked"),
    "packed": _l("Packed"), "shipped": _l("Shipped"), "delivered": _l("Delivered"),
    "received": _l("Received"), "closed": _l("Closed"), "cancelled": _l("Cancelled"),
}
LINE_STATUSES = {"proposed": _l("Proposed"), "picked": _l("Picked"), "dropped": _l("Dropped")}
RECEIPT_OUTCOMES = {"ok": _l("Received in good condition"), "damaged": _l("Damaged"),
                    "missing": lazy_pgettext("kit receipt", "Missing")}
QA_OUTCOMES = {"released": _l("Released"), "rejected": _l("Rejected")}
DISCREPANCY_KINDS = {"damaged": _l("Damaged kit"), "missing": _l("Missing kit"),
                     "other": _l("Other")}
DEVICE_DISCREPANCY_KINDS = {"damaged": _l("Damaged device"), "missing": _l("Missing device")}
DISCREPANCY_STATUSES = {"open": lazy_pgettext("discrepancy status", "Open"),
                        "resolved": _l("Resolved")}
TRACKING_MAX = 60


class Shipment(Audited, TimestampMixin, db.Model):
    """A movement of kits between two stock locations, with its paperwork and cold chain."""

    __tablename__ = "shipments"
    __audit_type__ = "shipment"
    __table_args__ = (
        one_of("kind", SHIPMENT_KINDS),
        one_of("status", SHIPMENT_STATUSES),
        CheckConstraint("requested_kits >= 0", name="requested_not_negative"),
        CheckConstraint("boxes IS NULL OR boxes > 0", name="boxes_positive"),
        CheckConstraint("origin_id <> destination_id", name="origin_not_destination"),
        CheckConstraint("(kind = 'patient') = (subject_id IS NOT NULL)",
                        name="patient_has_subject"),
        Index("ix_shipments_status_dispatched", "status", "dispatched_at"),
        Index("ix_shipments_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    origin_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    destination_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    requested_kits: Mapped[int]
    expected_arrival: Mapped[date | None] = mapped_column(Date)
    courier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(TRACKING_MAX))
    boxes: Mapped[int | None]
    box_ids: Mapped[str | None] = mapped_column(String(200))
    logger_ids: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(String(500))
    ordered_at: Mapped[datetime | None]
    picked_at: Mapped[datetime | None]
    packed_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Minutes out of range by the worst logger of the trip; kits inherit it at receipt.
    minutes_out: Mapped[float] = mapped_column(Float, default=0.0)
    qa_pending: Mapped[bool] = mapped_column(default=False)
    open_discrepancies: Mapped[int] = mapped_column(default=0)
    # A resupply of one kit type proposes only kits of that type.
    kit_type_id: Mapped[int | None] = mapped_column(ForeignKey("kit_types.id"))

    trial = relationship("Trial", lazy="joined")
    origin = relationship("Location", foreign_keys=[origin_id], lazy="joined")
    destination = relationship("Location", foreign_keys=[destination_id], lazy="joined")
    subject = relationship("Subject")
    kit_type = relationship("KitType")
    lines: Mapped[list["ShipmentKit"]] = relationship(
        back_populates="shipment", order_by="ShipmentKit.id")

    def audit_label(self):
        """Return the shipment number."""
        return self.number

    def __str__(self):
        return self.number

    @property
    def status_label(self):
        """Return the translated status."""
        return SHIPMENT_STATUSES.get(self.status, self.status)

    @property
    def kind_label(self):
        """Return the translated kind."""
        return SHIPMENT_KINDS.get(self.kind, self.kind)

    @property
    def active_lines(self):
        """Return the lines not dropped from the shipment."""
        return [line for line in self.lines if line.status != "dropped"]

    def signature_content(self):
        """Return what the site signs at receipt: kits with their outcome and the logger data."""
        return {
            "number": self.number, "kind": self.kind, "origin": self.origin_id,
            "destination": self.destination_id, "tracking_number": self.tracking_number,
            "kits": [[line.kit.kit_number, line.receipt_outcome or "missing"]
                     for line in self.lines if line.status == "picked"],
            "loggers": [[u.logger_serial, u.reading_count, u.minutes_out, u.file_sha256]
                        for u in self.logger_uploads],
            **self._device_content(),
        }

    def _device_content(self):
        """Return the device lines signed with the receipt (none: the content is unchanged)."""
        from app.devices.api import receipt_content  # devices import shipments' models

        devices = receipt_content(db.session, self.id)
        return {"devices": devices} if devices else {}

    logger_uploads: Mapped[list["LoggerUpload"]] = relationship(
        back_populates="shipment", order_by="LoggerUpload.id")


class ShipmentKit(Audited, db.Model):
    """One kit proposed for, picked on, and received from a shipment."""

    __tablename__ = "shipment_kits"
    __audit_type__ = "shipment_kit"
    __table_args__ = (
        UniqueConstraint("shipment_id", "kit_id"),
        one_of("status", LINE_STATUSES),
        one_of("receipt_outcome", RECEIPT_OUTCOMES, name="known_outcome", nullable=True),
        one_of("qa_outcome", QA_OUTCOMES, nullable=True),
        # A kit is held by at most one unfinished shipment: the last line against races.
        Index("uq_shipment_kits_holding_kit", "kit_id", unique=True,
              sqlite_where=text("holds"), postgresql_where=text("holds")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    holds: Mapped[bool] = mapped_column(default=True)
    picked_at: Mapped[datetime | None]
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    receipt_outcome: Mapped[str | None] = mapped_column(String(20))
    scanned_at: Mapped[datetime | None]
    minutes_out: Mapped[float] = mapped_column(Float, default=0.0)
    quarantined: Mapped[bool] = mapped_column(default=False)
    qa_outcome: Mapped[str | None] = mapped_column(String(20))
    qa_decision_id: Mapped[int | None] = mapped_column(ForeignKey("qa_decisions.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    kit = relationship("Kit", lazy="joined")

    def audit_label(self):
        """Return shipment and kit number."""
        number = self.kit.kit_number if self.kit else self.kit_id
        return f"{self.shipment.number if self.shipment else self.shipment_id} · {number}"


class LoggerUpload(Audited, db.Model):
    """One temperature logger file attached to a shipment, with its analysis."""

    __tablename__ = "logger_uploads"
    __audit_type__ = "logger_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    logger_serial: Mapped[str] = mapped_column(String(60))
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    file_sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reading_count: Mapped[int]
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    min_c: Mapped[float] = mapped_column(Float)
    max_c: Mapped[float] = mapped_column(Float)
    low_c: Mapped[float] = mapped_column(Float)
    high_c: Mapped[float] = mapped_column(Float)
    minutes_out: Mapped[float] = mapped_column(Float)
    delimiter: Mapped[str] = mapped_column(String(4))
    unit: Mapped[str] = mapped_column(String(1))
    decimal_comma: Mapped[bool]
    time_format: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(40))
    # Readings outside the shipment's journey, accepted by QA with this reason.
    accepted_reason: Mapped[str | None] = mapped_column(Text)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="logger_uploads")
    stored_file = relationship("StoredFile")
    excursions: Mapped[list["ShipmentExcursion"]] = relationship(
        back_populates="upload", order_by="ShipmentExcursion.started_at")

    def audit_label(self):
        """Return shipment and logger serial."""
        return f"{self.shipment.number if self.shipment else self.shipment_id} · " \
               f"{self.logger_serial}"


class LoggerReading(db.Model):
    """One reading of a logger file, in °C and UTC (bulk data: audited by its upload)."""

    __tablename__ = "logger_readings"
    __table_args__ = (UniqueConstraint("upload_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("logger_uploads.id"))
    taken_at: Mapped[datetime]
    temperature_c: Mapped[float] = mapped_column(Float)


class ShipmentExcursion(Audited, db.Model):
    """A period a logger of the shipment read outside the storage range."""

    __tablename__ = "shipment_excursions"
    __audit_type__ = "shipment_excursion"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("logger_uploads.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    minutes: Mapped[float] = mapped_column(Float)
    min_c: Mapped[float] = mapped_column(Float)
    max_c: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(10))

    upload: Mapped[LoggerUpload] = relationship(back_populates="excursions")

    def audit_label(self):
        """Return the start of the excursion."""
        return f"{self.started_at:%Y-%m-%d %H:%M} UTC, {self.minutes} min"


class QaDecision(Audited, db.Model):
    """A signed QA decision to release or reject kits quarantined after an excursion."""

    __tablename__ = "qa_decisions"
    __audit_type__ = "qa_decision"
    __table_args__ = (one_of("decision", QA_OUTCOMES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why QA departs from the proposal the stability budget gave (None when it follows it).
    departure_reason: Mapped[str | None] = mapped_column(Text)

    shipment: Mapped[Shipment] = relationship()
    lines: Mapped[list[ShipmentKit]] = relationship(order_by="ShipmentKit.id")
    decided_by = relationship("User")

    def audit_label(self):
        """Return shipment and decision."""
        return f"{self.shipment.number if self.shipment else self.shipment_id}: {self.decision}"

    def signature_content(self):
        """Return the decision, its reason and the kits with their exposure."""
        return {"shipment": self.shipment.number, "decision": self.decision,
                "reason": self.reason,
                "kits": [[line.kit.kit_number, line.minutes_out] for line in self.lines]}


class Discrepancy(Audited, db.Model):
    """Something wrong found at receipt that logistics must resolve."""

    __tablename__ = "shipment_discrepancies"
    __audit_type__ = "shipment_discrepancy"
    __table_args__ = (
        one_of("kind", DISCREPANCY_KINDS),
        one_of("status", DISCREPANCY_STATUSES),
        # A damaged or missing item is one kit or one device; "other" (something found that
        # was not shipped) may name an unknown kit number. Never both a kit and a device.
        CheckConstraint("NOT (kit_id IS NOT NULL AND device_id IS NOT NULL) AND "
                        "(kind = 'other' OR kit_id IS NOT NULL OR device_id IS NOT NULL)",
                        name="one_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kits.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(500))

    shipment: Mapped[Shipment] = relationship()
    kit = relationship("Kit")
    device = relationship("Device")

    def audit_label(self):
        """Return shipment and kind."""
        return f"{self.shipment.number if self.shipment else self.shipment_id}: {self.kind}"

    @property
    def kind_label(self):
        """Return the translated kind."""
        if self.device_id is not None and self.kind in DEVICE_DISCREPANCY_KINDS:
            return DEVICE_DISCREPANCY_KINDS[self.kind]
        return DISCREPANCY_KINDS.get(self.kind, self.kind)

    @property
    def item_label(self):
        """Return what the discrepancy is about: the kit number or the device serial."""
        if self.device_id is not None:
            return self.device.serial
        return self.kit.kit_number if self.kit_id is not None else None
