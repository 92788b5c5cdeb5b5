"""Products, lots and blinded lots, locations, supply settings and resupply levels."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Numeric,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of
from app.extensions import db

PRODUCT_KINDS = {"investigational": _l("Investigational product"),
                 "comparator": _l("Comparator"), "placebo": _l("Placebo")}
LOT_STATUSES = {"quarantine": _l("Quarantine"), "certified": _l("Certified by the QP"),
                "released": _l("Released"),
                "rejected": _l("Rejected"), "expired": _l("Expired"),
                "recalled": _l("Recalled")}
LOCATION_KINDS = {"depot": _l("Depot"), "zone": _l("Storage zone"), "site": _l("Site")}
DEFAULT_DNS, DEFAULT_DND = 60, 30  # days before expiry: do not ship, do not dispense


class Product(Audited, TimestampMixin, db.Model):
    """An investigational drug, comparator or placebo as it is packed in kits."""

    __tablename__ = "products"
    __audit_type__ = "product"
    __table_args__ = (
        one_of("kind", PRODUCT_KINDS),
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
    # Stability budget: at most budget_hours cumulated between budget_low_c and budget_high_c
    # outside storage; never below absolute_min_c (nor above budget_high_c).
    budget_hours: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    budget_low_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    budget_high_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    absolute_min_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))

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
        one_of("status", LOT_STATUSES),
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
    dns_days: Mapped[int] = mapped_column(default=DEFAULT_DNS)
    dnd_days: Mapped[int] = mapped_column(default=DEFAULT_DND)

    trial = relationship("Trial", lazy="joined")

    def audit_label(self):
        """Return the trial code."""
        return self.trial.protocol_code if self.trial else str(self.trial_id)


class Location(Audited, TimestampMixin, db.Model):
    """Where stock is: a depot, a storage zone inside a depot, or a trial site."""

    __tablename__ = "locations"
    __audit_type__ = "location"
    __table_args__ = (
        one_of("kind", LOCATION_KINDS),
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
