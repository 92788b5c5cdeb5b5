"""Excursions of a site's storage (its fridge): the period, the kits there, QA's decisions."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Float, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import one_of, utcnow
from app.extensions import db

EXCURSION_SOURCES = {"logger": _l("Logger file"), "manual": _l("Entered by hand")}
QA_OUTCOMES = {"released": _l("Released"), "rejected": _l("Rejected")}


class StorageExcursion(Audited, db.Model):
    """A period a site's storage spent out of the kits' range, as reported by the site."""

    __tablename__ = "storage_excursions"
    __audit_type__ = "storage_excursion"
    __table_args__ = (
        one_of("source", EXCURSION_SOURCES),
        CheckConstraint("ended_at > started_at", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    minutes_out: Mapped[float] = mapped_column(Float)
    min_c: Mapped[float | None] = mapped_column(Float)
    max_c: Mapped[float | None] = mapped_column(Float)
    low_c: Mapped[Decimal] = mapped_column(Numeric(5, 1))  # the storage range judged against
    high_c: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    comment: Mapped[str | None] = mapped_column(Text)
    stored_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    reading_count: Mapped[int | None]
    periods: Mapped[int] = mapped_column(default=1)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    qa_pending: Mapped[bool] = mapped_column(default=True)

    location = relationship("Location", lazy="joined")
    site = relationship("Site", lazy="joined")
    stored_file = relationship("StoredFile")
    reported_by = relationship("User", foreign_keys=[reported_by_id])
    lines: Mapped[list["StorageExcursionKit"]] = relationship(
        back_populates="excursion", order_by="StorageExcursionKit.id")
    decisions: Mapped[list["StorageQaDecision"]] = relationship(
        back_populates="excursion", order_by="StorageQaDecision.id")

    def audit_label(self):
        """Return the excursion's reference."""
        return self.reference

    @property
    def reference(self):
        """Return the reference shown to people: SE-<id>."""
        return f"SE-{self.id}"


class StorageExcursionKit(db.Model):
    """A kit that was in the storage during the excursion, and what QA decided for it."""

    __tablename__ = "storage_excursion_kits"

    id: Mapped[int] = mapped_column(primary_key=True)
    excursion_id: Mapped[int] = mapped_column(ForeignKey("storage_excursions.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    minutes_out: Mapped[float] = mapped_column(Float)
    state_before: Mapped[str] = mapped_column(String(20))
    quarantined: Mapped[bool] = mapped_column(default=False)
    qa_outcome: Mapped[str | None] = mapped_column(String(20))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("storage_qa_decisions.id"))

    excursion: Mapped[StorageExcursion] = relationship(back_populates="lines")
    kit = relationship("Kit", lazy="joined")


class StorageQaDecision(Audited, db.Model):
    """A signed QA decision to release or reject kits quarantined after a storage excursion."""

    __tablename__ = "storage_qa_decisions"
    __audit_type__ = "storage_qa_decision"
    __table_args__ = (one_of("decision", QA_OUTCOMES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    excursion_id: Mapped[int] = mapped_column(ForeignKey("storage_excursions.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    departure_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    excursion: Mapped[StorageExcursion] = relationship(back_populates="decisions")
    lines: Mapped[list[StorageExcursionKit]] = relationship(order_by="StorageExcursionKit.id")
    decided_by = relationship("User")

    def audit_label(self):
        """Return excursion and decision."""
        return f"SE-{self.excursion_id}: {self.decision}"

    def signature_content(self):
        """Return the decision, its reasons and the kits with their exposure."""
        return {"excursion": f"SE-{self.excursion_id}", "decision": self.decision,
                "reason": self.reason, "departure_reason": self.departure_reason,
                "kits": [[line.kit.kit_number, line.minutes_out] for line in self.lines]}


class StorageReading(db.Model):
    """One reading of the storage logger file, for the excursion's chart."""

    __tablename__ = "storage_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    excursion_id: Mapped[int] = mapped_column(ForeignKey("storage_excursions.id"), index=True)
    taken_at: Mapped[datetime]
    temperature_c: Mapped[float] = mapped_column(Float)


EXPOSURE_SOURCES = {"shipment": _l("Shipment"), "storage": _l("Storage excursion")}


class KitExposure(db.Model):
    """One addition to a kit's whole-life exposure, and where it came from."""

    __tablename__ = "kit_exposures"
    __table_args__ = (one_of("source", EXPOSURE_SOURCES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]  # the shipment's or the storage excursion's id
    reference: Mapped[str] = mapped_column(String(60))
    minutes_out: Mapped[float] = mapped_column(Float)
    lowest_c: Mapped[float | None] = mapped_column(Float)
    highest_c: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
