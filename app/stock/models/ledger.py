"""The append-only stock ledger and its balance projection."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import one_of, utcnow
from app.extensions import db

EVENTS = {
    "receipt": _l("Receipt"), "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"), "dispense": _l("Dispense"), "return": _l("Return"),
    "adjustment": _l("Adjustment"), "quarantine": _l("Quarantine"), "release": _l("Release"),
    "damage": _l("Damage"), "loss": _l("Loss"), "expiry": _l("Expiry"),
    "destruction": _l("Destruction"),
}


class StockEntry(db.Model):
    """One kit movement or state change; never updated or deleted (database triggers)."""

    __tablename__ = "stock_entries"
    __table_args__ = (
        one_of("event", EVENTS),
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
