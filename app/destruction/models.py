"""Returns kept apart, reconciliations, sponsor authorisations and destruction batches."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import one_of, utcnow
from app.extensions import db

RETURN_CONDITIONS = {
    "unused": _l("Unused"), "partly_used": _l("Partly used (units remaining)"),
    "empty": _l("Empty"), "damaged": _l("Damaged"), "expired": _l("Expired"),
}
RECONCILIATION_STATUSES = {"open": _l("Open: differences to explain"),
                           "closed": _l("Closed: waiting for the monitor"),
                           "verified": _l("Verified by the monitor")}
BATCH_STATUSES = {"draft": _l("Draft"), "witnessed": _l("Signed by the witness"),
                  "executed": _l("Destroyed")}
BATCH_PLACES = {"contractor": _l("By a waste contractor"), "site": _l("At the hospital")}
DESTRUCTION_METHODS = {
    "incineration": _l("High-temperature incineration"),
    "chemical": _l("Chemical inactivation"),
    "encapsulation": _l("Encapsulation"),
    "other": _l("Other"),
}
ITEM_KINDS = {"kit": _l("Kit"), "device": _l("Device")}


class ReturnsZone(Audited, db.Model):
    """A depot storage zone that holds returned kits, apart from sellable stock."""

    __tablename__ = "returns_zones"
    __audit_type__ = "returns_zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), unique=True)

    location = relationship("Location", lazy="joined")

    def audit_label(self):
        """Return the zone code."""
        return self.location.code if self.location else str(self.location_id)


class ReturnedKit(Audited, db.Model):
    """A kit a site sends back on a return shipment, with its condition as the site scanned it."""

    __tablename__ = "returned_kits"
    __audit_type__ = "returned_kit"
    __table_args__ = (
        UniqueConstraint("shipment_id", "kit_id"),
        one_of("condition", RETURN_CONDITIONS),
        CheckConstraint("units_remaining >= 0", name="units_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    condition: Mapped[str] = mapped_column(String(20))
    units_remaining: Mapped[int] = mapped_column(default=0)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
    scanned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sorted_at: Mapped[datetime | None]

    kit = relationship("Kit", lazy="joined")
    shipment = relationship("Shipment")

    def audit_label(self):
        """Return the kit number."""
        return self.kit.kit_number if self.kit else str(self.kit_id)

    @property
    def condition_label(self):
        """Return the translated condition."""
        return RETURN_CONDITIONS.get(self.condition, self.condition)


class Reconciliation(Audited, db.Model):
    """Delivered, dispensed, returned and destroyed at one site over a period, frozen."""

    __tablename__ = "reconciliations"
    __audit_type__ = "reconciliation"
    # The frozen figures are JSON bound by the monitor's signature; the page shows them.
    __audit_ignore__ = frozenset({"created_at", "updated_at", "figures"})
    __table_args__ = (
        one_of("status", RECONCILIATION_STATUSES),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    last_entry_id: Mapped[int]
    figures: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]

    trial = relationship("Trial", lazy="joined")
    site = relationship("Site", lazy="joined")
    notes: Mapped[list["ReconciliationNote"]] = relationship(
        back_populates="reconciliation", order_by="ReconciliationNote.id")

    def audit_label(self):
        """Return site and period."""
        site = self.site.audit_label() if self.site else str(self.site_id)
        return f"{site} {self.period_start}…{self.period_end}"

    @property
    def number(self):
        """Return the reference printed on certificates."""
        return f"REC-{self.id:06d}"

    @property
    def status_label(self):
        """Return the translated status."""
        return RECONCILIATION_STATUSES.get(self.status, self.status)

    def signature_content(self):
        """Return the frozen figures and the explanations the monitor verifies."""
        return {"trial_id": self.trial_id, "site_id": self.site_id,
                "period": [str(self.period_start), str(self.period_end)],
                "last_entry_id": self.last_entry_id, "figures": self.figures,
                "notes": [[n.key, n.explanation] for n in self.notes]}


class ReconciliationNote(Audited, db.Model):
    """The explanation of one difference of a reconciliation."""

    __tablename__ = "reconciliation_notes"
    __audit_type__ = "reconciliation_note"
    __table_args__ = (UniqueConstraint("reconciliation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("reconciliations.id"))
    key: Mapped[str] = mapped_column(String(60))
    explanation: Mapped[str] = mapped_column(String(500))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reconciliation: Mapped[Reconciliation] = relationship(back_populates="notes")

    def audit_label(self):
        """Return the difference it explains."""
        return self.key


class ReconciliationKit(db.Model):
    """A kit a reconciliation accounts for (bulk data: audited by its reconciliation)."""

    __tablename__ = "reconciliation_kits"

    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("reconciliations.id"),
                                                   primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), primary_key=True, index=True)


authorisation_sites = Table(
    "authorisation_sites", db.metadata,
    Column("authorisation_id", ForeignKey("destruction_authorisations.id"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
)
authorisation_lots = Table(
    "authorisation_lots", db.metadata,
    Column("authorisation_id", ForeignKey("destruction_authorisations.id"), primary_key=True),
    Column("lot_id", ForeignKey("lots.id"), primary_key=True),
)


class Authorisation(Audited, db.Model):
    """The sponsor's written authorisation to destroy, with its scope and the document."""

    __tablename__ = "destruction_authorisations"
    __audit_type__ = "destruction_authorisation"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from",
                        name="end_not_before_start"),
        UniqueConstraint("trial_id", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80))
    signed_on: Mapped[date] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(String(200))
    sponsor_email: Mapped[str | None] = mapped_column(String(254))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    kit_from: Mapped[str | None] = mapped_column(String(40))
    kit_to: Mapped[str | None] = mapped_column(String(40))
    reconciliation_id: Mapped[int | None] = mapped_column(ForeignKey("reconciliations.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    trial = relationship("Trial", lazy="joined")
    reconciliation = relationship("Reconciliation")
    document = relationship("StoredFile")
    sites = relationship("Site", secondary=authorisation_sites, order_by="Site.site_number")
    lots = relationship("Lot", secondary=authorisation_lots, order_by="Lot.number")

    def audit_label(self):
        """Return the sponsor's reference."""
        return self.reference


class DestructionBatch(Audited, db.Model):
    """Kits destroyed together: how, where, by whom; signed by a responsible person and witness."""

    __tablename__ = "destruction_batches"
    __audit_type__ = "destruction_batch"
    __table_args__ = (
        one_of("status", BATCH_STATUSES),
        one_of("place_kind", BATCH_PLACES),
        one_of("method", DESTRUCTION_METHODS),
        CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="weight_positive"),
        CheckConstraint("(place_kind = 'site') = (site_id IS NOT NULL)", name="site_batch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    authorisation_id: Mapped[int] = mapped_column(ForeignKey("destruction_authorisations.id"),
                                                  index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    place_kind: Mapped[str] = mapped_column(String(20), default="contractor")
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    method: Mapped[str] = mapped_column(String(20))
    contractor: Mapped[str] = mapped_column(String(200))
    contractor_licence: Mapped[str] = mapped_column(String(80))
    place: Mapped[str] = mapped_column(String(300))
    destroyed_on: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    item_count: Mapped[int] = mapped_column(default=0)
    site_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    witnessed_at: Mapped[datetime | None]
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    executed_at: Mapped[datetime | None]
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    certificate_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    certificate_sent_at: Mapped[datetime | None]

    trial = relationship("Trial", lazy="joined")
    site = relationship("Site")
    authorisation: Mapped[Authorisation] = relationship(lazy="joined")
    site_certificate = relationship("StoredFile", foreign_keys=[site_certificate_id])
    certificate = relationship("StoredFile", foreign_keys=[certificate_id])

    def audit_label(self):
        """Return the batch number."""
        return self.number

    @property
    def status_label(self):
        """Return the translated status."""
        return BATCH_STATUSES.get(self.status, self.status)

    @property
    def method_label(self):
        """Return the translated method."""
        return DESTRUCTION_METHODS.get(self.method, self.method)

    def signature_content(self):
        """Return what both signers sign: the batch's particulars and a digest of its items."""
        from app.destruction.services.batches import items_digest

        return {"number": self.number, "trial_id": self.trial_id,
                "authorisation": self.authorisation_id, "method": self.method,
                "contractor": self.contractor, "licence": self.contractor_licence,
                "place": self.place, "destroyed_on": str(self.destroyed_on),
                "weight_kg": self.weight_kg,
                "item_count": self.item_count, "items": items_digest(self)}


class DestructionItem(db.Model):
    """One item of a batch: a kit or a device (by kind); bulk data audited by its batch."""

    __tablename__ = "destruction_items"
    __table_args__ = (
        one_of("kind", ITEM_KINDS),
        CheckConstraint("(kind = 'kit') = (kit_id IS NOT NULL)", name="kit_has_kit"),
        CheckConstraint("(kind = 'device') = (device_id IS NOT NULL)",
                        name="device_has_device"),
        Index("uq_destruction_items_kit", "kit_id", unique=True),
        Index("uq_destruction_items_device", "device_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("destruction_batches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="kit")
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kits.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    reference: Mapped[str] = mapped_column(String(60))  # kit number or device serial as printed
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    subject_code: Mapped[str | None] = mapped_column(String(40))
    units: Mapped[int] = mapped_column(default=0)

    kit = relationship("Kit")
