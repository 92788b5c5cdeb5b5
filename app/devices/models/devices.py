"""Device models, devices, their site accountability events and the signed site log."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of, utcnow
from app.devices.models.labels import (
    DEVICE_CLASSES,
    DEVICE_KINDS,
    DEVICE_STATES,
    EVENT_KINDS,
    SHIPMENT_DEVICE_STATES,
)
from app.extensions import db

__all__ = ["DEVICE_CLASSES", "DEVICE_KINDS", "DEVICE_STATES", "EVENT_KINDS", "Device",
           "DeviceEvent", "DeviceLogReview", "DeviceModel", "ShipmentDevice"]


class DeviceModel(Audited, TimestampMixin, db.Model):
    """A make and model of device: who makes it, its class and UDI-DI."""

    __tablename__ = "device_models"
    __audit_type__ = "device_model"
    __table_args__ = (one_of("device_class", DEVICE_CLASSES), one_of("kind", DEVICE_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    device_class: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(20))
    udi_di: Mapped[str | None] = mapped_column(String(60), unique=True)
    investigational: Mapped[bool] = mapped_column(default=False)
    needs_calibration: Mapped[bool] = mapped_column(default=True)

    def audit_label(self):
        """Return manufacturer and model."""
        return f"{self.manufacturer} {self.model}"

    @property
    def measures_temperature(self):
        """Return True for loggers and thermometers (their readings decide excursions)."""
        return self.kind in ("logger", "thermometer")


class Device(Audited, TimestampMixin, db.Model):
    """One device, identified by its serial number or UDI-PI."""

    __tablename__ = "devices"
    __audit_type__ = "device"
    __table_args__ = (
        one_of("status", DEVICE_STATES),
        Index("ix_devices_status_site", "status", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("device_models.id"), index=True)
    serial: Mapped[str] = mapped_column(String(60), unique=True)
    lot: Mapped[str | None] = mapped_column(String(40))
    expires_on: Mapped[date | None] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="in_stock")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"), index=True)
    # Set when the last authorised calibration left the device failed (as-left out).
    calibration_failed: Mapped[bool] = mapped_column(default=False)
    status_reason: Mapped[str | None] = mapped_column(String(500))

    model: Mapped[DeviceModel] = relationship(lazy="joined")
    site = relationship("Site")
    trial = relationship("Trial")
    location = relationship("Location")

    def audit_label(self):
        """Return the serial number."""
        return self.serial


class DeviceEvent(Audited, db.Model):
    """One line of a site's investigational device accountability (ISO 14155)."""

    __tablename__ = "device_events"
    __audit_type__ = "device_event"
    __table_args__ = (
        one_of("kind", EVENT_KINDS),
        CheckConstraint("kind NOT IN ('use', 'implant', 'explant') OR subject_id IS NOT NULL",
                        name="use_has_subject"),
        Index("ix_device_events_device_on", "device_id", "occurred_on"),
        Index("ix_device_events_site_id", "site_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"))
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("trial_visits.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    device: Mapped[Device] = relationship(lazy="joined")
    site = relationship("Site")
    subject = relationship("Subject")
    visit = relationship("TrialVisit")

    def audit_label(self):
        """Return the device serial and the event."""
        return f"{self.device.serial if self.device else self.device_id} {self.kind}"


class DeviceLogReview(Audited, db.Model):
    """A site's device accountability frozen at an event: the site signs, the monitor verifies."""

    __tablename__ = "device_log_reviews"
    __audit_type__ = "device_log_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    last_event_id: Mapped[int]
    totals: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site = relationship("Site")

    def audit_label(self):
        """Return the site and cut-off."""
        return f"{self.site.audit_label() if self.site else self.site_id} ≤ #{self.last_event_id}"

    def signature_content(self):
        """Return the frozen figures and the last event they cover."""
        return {"site_id": self.site_id, "last_event_id": self.last_event_id,
                "totals": self.totals}


class ShipmentDevice(Audited, db.Model):
    """A device travelling on a shipment, picked and received by its serial."""

    __tablename__ = "shipment_devices"
    __audit_type__ = "shipment_device"
    __table_args__ = (one_of("status", SHIPMENT_DEVICE_STATES),
                      UniqueConstraint("shipment_id", "device_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    picked_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    device: Mapped[Device] = relationship(lazy="joined")
    shipment = relationship("Shipment")

    def audit_label(self):
        """Return the device serial."""
        return self.device.serial if self.device else str(self.device_id)
