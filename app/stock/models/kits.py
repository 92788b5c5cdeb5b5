"""Kits: serialised, randomly numbered units."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of
from app.extensions import db
from app.stock.models.catalog import Location, Lot, Product

KIT_STATES = {
    "available": _l("Available"), "quarantined": _l("Quarantined"), "damaged": _l("Damaged"),
    "missing": lazy_pgettext("kit state", "Missing"), "expired": _l("Expired"),
    "in_transit": _l("In transit"),
    "received": _l("Received"), "dispensed": _l("Dispensed"), "returned": _l("Returned"),
    "pending_destruction": _l("Pending destruction"), "destroyed": _l("Destroyed"),
}


class Kit(Audited, TimestampMixin, db.Model):
    """A serialised, randomly numbered unit that is shipped and dispensed."""

    __tablename__ = "kits"
    __audit_type__ = "kit"
    __table_args__ = (
        UniqueConstraint("trial_id", "kit_number"),
        one_of("state", KIT_STATES),
        Index("ix_kits_location_state_expiry", "location_id", "state", "expires_on"),
        Index("ix_kits_trial_state_expiry", "trial_id", "state", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    kit_number: Mapped[str] = mapped_column(String(40))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    state: Mapped[str] = mapped_column(String(20), default="available")
    expires_on: Mapped[date] = mapped_column(Date)
    # Whole-life exposure: minutes out of the storage range (shipments and site storage) and
    # the coldest and warmest readings seen while out of range.
    minutes_out: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    lowest_c: Mapped[float | None] = mapped_column(Float)
    highest_c: Mapped[float | None] = mapped_column(Float)

    lot: Mapped[Lot] = relationship(lazy="joined")
    product: Mapped[Product] = relationship()
    location: Mapped[Location | None] = relationship(lazy="joined")
    trial = relationship("Trial")

    def audit_label(self):
        """Return the kit number."""
        return self.kit_number

    def __str__(self):
        return self.kit_number

