"""Products, lots, locations, kits and their arms, supply settings and resupply levels."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin
from app.extensions import db

PRODUCT_KINDS = {"investigational": _l("Investigational product"),
                 "comparator": _l("Comparator"), "placebo": _l("Placebo")}
LOT_STATUSES = {"quarantine": _l("Quarantine"), "released": _l("Released"),
                "rejected": _l("Rejected"), "expired": _l("Expired"),
                "recalled": _l("Recalled")}
LOCATION_KINDS = {"depot": _l("Depot"), "zone": _l("Storage zone"), "site": _l("Site")}
ARMS_MAX = 40


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


class Product(Audited, TimestampMixin, db.Model):
    """An investigational drug, comparator or placebo as it is packed in kits."""

    __tablename__ = "products"
    __audit_type__ = "product"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(PRODUCT_KINDS)})", name="known_kind"),
        CheckConstraint("units_per_kit > 0", name="units_positive"),
        CheckConstraint("storage_min_c < storage_max_c", name="storage_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="investigational")
    strength: Mapped[str] = mapped_column(String(80))
    form: Mapped[str] = mapped_column(String(80))
    route: Mapped[str] = mapped_column(String(80))
    units_per_kit: Mapped[int]
    storage_min_c: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    storage_max_c: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    gtin: Mapped[str | None] = mapped_column(String(14))

    def audit_label(self):
        """Return the product name."""
        return self.name

    def __str__(self):
        return f"{self.name} {self.strength}"


lot_members = Table(
    "blinded_lot_members",
    db.metadata,
    Column("blinded_lot_id", ForeignKey("lots.id"), primary_key=True),
    Column("lot_id", ForeignKey("lots.id"), primary_key=True),
)


class Lot(Audited, TimestampMixin, db.Model):
    """A manufacturing lot, or a blinded lot grouping matching active and placebo lots."""

    __tablename__ = "lots"
    __audit_type__ = "lot"
    __audit_reason_required__ = True
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(LOT_STATUSES)})", name="known_status"),
        CheckConstraint("blinded = false OR trial_id IS NOT NULL", name="blinded_has_trial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"), index=True)
    blinded: Mapped[bool] = mapped_column(default=False)
    manufacturer: Mapped[str | None] = mapped_column(String(200))
    manufactured_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="quarantine")

    product: Mapped[Product] = relationship(lazy="joined")
    trial = relationship("Trial")
    members: Mapped[list["Lot"]] = relationship(
        secondary=lot_members, primaryjoin=id == lot_members.c.blinded_lot_id,
        secondaryjoin=id == lot_members.c.lot_id, order_by="Lot.number")

    def audit_label(self):
        """Return the lot number."""
        return self.number

    def __str__(self):
        return self.number


class SupplySettings(Audited, TimestampMixin, db.Model):
    """Per trial: do-not-ship and do-not-dispense windows in days before expiry."""

    __tablename__ = "supply_settings"
    __audit_type__ = "supply_settings"
    __audit_reason_required__ = True
    __table_args__ = (CheckConstraint("dns_days > dnd_days AND dnd_days >= 0",
                                      name="dns_after_dnd"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), unique=True)
    dns_days: Mapped[int] = mapped_column(default=60)
    dnd_days: Mapped[int] = mapped_column(default=30)

    trial = relationship("Trial", lazy="joined")

    def audit_label(self):
        """Return the trial code."""
        return self.trial.protocol_code if self.trial else str(self.trial_id)


class Location(Audited, TimestampMixin, db.Model):
    """Where stock is: a depot, a storage zone inside a depot, or a trial site."""

    __tablename__ = "locations"
    __audit_type__ = "location"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(LOCATION_KINDS)})", name="known_kind"),
        CheckConstraint("(kind = 'site') = (site_id IS NOT NULL)", name="site_has_site"),
        CheckConstraint("(kind = 'zone') = (parent_id IS NOT NULL)", name="zone_has_depot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), unique=True)
    storage_note: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["Location | None"] = relationship(remote_side=[id])
    site = relationship("Site", lazy="joined")

    def audit_label(self):
        """Return the location code."""
        return self.code

    def __str__(self):
        if self.kind == "zone" and self.parent is not None:
            return f"{self.parent.name} · {self.name}"
        return self.name

    @property
    def depot_id(self):
        """Return the depot this location belongs to (itself for a depot), else None."""
        if self.kind == "depot":
            return self.id
        return self.parent_id if self.kind == "zone" else None


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
        CheckConstraint(f"state IN ({_in(KIT_STATES)})", name="known_state"),
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

    lot: Mapped[Lot] = relationship(lazy="joined")
    product: Mapped[Product] = relationship()
    location: Mapped[Location | None] = relationship(lazy="joined")
    trial = relationship("Trial")

    def audit_label(self):
        """Return the kit number (never its arm)."""
        return self.kit_number

    def __str__(self):
        return self.kit_number


class KitArm(db.Model):
    """The treatment arm of a kit: a separate table only the unblinded role reads."""

    # Not Audited on purpose: an audit entry would show the arm to blinded auditors.
    __tablename__ = "kit_arms"

    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), primary_key=True)
    arm: Mapped[str] = mapped_column(String(ARMS_MAX))
    recorded_at: Mapped[datetime]


class ResupplyLevel(Audited, TimestampMixin, db.Model):
    """A site's minimum (trigger) and maximum (ship up to) count of available kits."""

    __tablename__ = "resupply_levels"
    __audit_type__ = "resupply_level"
    __table_args__ = (CheckConstraint("minimum >= 0 AND maximum > minimum", name="min_below_max"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    minimum: Mapped[int]
    maximum: Mapped[int]

    site = relationship("Site", lazy="joined")

    def audit_label(self):
        """Return the site label."""
        return self.site.audit_label() if self.site else str(self.site_id)
