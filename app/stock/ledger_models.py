"""The append-only stock ledger, its balance projection, dispensings, returns, reviews."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import utcnow
from app.extensions import db

EVENTS = {
    "receipt": _l("Receipt"), "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"), "dispense": _l("Dispense"), "return": _l("Return"),
    "adjustment": _l("Adjustment"), "quarantine": _l("Quarantine"), "release": _l("Release"),
    "damage": _l("Damage"), "loss": _l("Loss"), "expiry": _l("Expiry"),
    "destruction": _l("Destruction"),
}
RETURN_CONDITIONS = {"unused": _l("Unused, sealed"), "opened": _l("Opened, partly used"),
                     "damaged": _l("Damaged")}


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


class StockEntry(db.Model):
    """One kit movement or state change; never updated or deleted (database triggers)."""

    __tablename__ = "stock_entries"
    __table_args__ = (
        CheckConstraint(f"event IN ({_in(EVENTS)})", name="known_event"),
        Index("ix_stock_entries_location_id", "location_id", "id"),
        Index("ix_stock_entries_kit_id", "kit_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(20))
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"))
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    state_before: Mapped[str | None] = mapped_column(String(20))
    state_after: Mapped[str | None] = mapped_column(String(20))
    on_hand_delta: Mapped[int] = mapped_column(default=0)
    quarantined_delta: Mapped[int] = mapped_column(default=0)
    available_delta: Mapped[int] = mapped_column(default=0)
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String(200))
    document_ref: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))
    reversal_of_id: Mapped[int | None] = mapped_column(ForeignKey("stock_entries.id"),
                                                       unique=True)

    kit = relationship("Kit", lazy="joined")
    location = relationship("Location", lazy="joined")

    @property
    def event_label(self):
        """Return the translated event name."""
        return EVENTS.get(self.event, self.event)


class StockBalance(db.Model):
    """Kits on hand, quarantined and available per location and lot (a ledger projection)."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        UniqueConstraint("location_id", "trial_id", "lot_id"),
        CheckConstraint("on_hand >= 0 AND quarantined >= 0 AND available >= 0",
                        name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    quarantined: Mapped[int] = mapped_column(default=0)
    available: Mapped[int] = mapped_column(default=0)

    location = relationship("Location", lazy="joined")
    lot = relationship("Lot", lazy="joined")
    trial = relationship("Trial", lazy="joined")


class Dispensing(Audited, db.Model):
    """A kit given to a subject at a visit; one per kit."""

    __tablename__ = "dispensings"
    __audit_type__ = "dispensing"

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("trial_visits.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    dispensed_at: Mapped[datetime]
    dispensed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("stock_entries.id"))

    kit = relationship("Kit", lazy="joined")
    subject = relationship("Subject", lazy="joined")
    visit = relationship("TrialVisit", lazy="joined")

    def audit_label(self):
        """Return kit and subject."""
        return f"{self.kit.kit_number if self.kit else self.kit_id} → " \
               f"{self.subject.code if self.subject else self.subject_id}"


class KitReturn(Audited, db.Model):
    """A dispensed kit brought back by the subject: units returned and missing, condition."""

    __tablename__ = "kit_returns"
    __audit_type__ = "kit_return"
    __table_args__ = (
        CheckConstraint("units_returned >= 0 AND units_missing >= 0", name="units_positive"),
        CheckConstraint(f"condition IN ({_in(RETURN_CONDITIONS)})", name="known_condition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    units_returned: Mapped[int]
    units_missing: Mapped[int]
    condition: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime]
    entry_id: Mapped[int] = mapped_column(ForeignKey("stock_entries.id"))

    kit = relationship("Kit", lazy="joined")
    subject = relationship("Subject", lazy="joined")

    def audit_label(self):
        """Return the kit number."""
        return self.kit.kit_number if self.kit else str(self.kit_id)


class AccountabilityReview(Audited, db.Model):
    """A frozen drug accountability snapshot of a site or trial, to sign and verify."""

    __tablename__ = "accountability_reviews"
    __audit_type__ = "accountability_review"
    __table_args__ = (CheckConstraint("(site_id IS NULL) <> (trial_id IS NULL)",
                                      name="site_or_trial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"), index=True)
    last_entry_id: Mapped[int]
    totals: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site = relationship("Site")
    trial = relationship("Trial")

    def audit_label(self):
        """Return scope and cut-off."""
        scope = self.site.audit_label() if self.site else (
            self.trial.protocol_code if self.trial else "")
        return f"{scope} ≤ #{self.last_entry_id}"

    def signature_content(self):
        """Return the frozen totals and the last ledger line they cover."""
        return {"site_id": self.site_id, "trial_id": self.trial_id,
                "last_entry_id": self.last_entry_id, "totals": self.totals}
