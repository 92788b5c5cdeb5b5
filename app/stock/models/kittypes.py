"""Kit types (what a visit dispenses), the visit schedule's kit needs and per-type levels."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin
from app.extensions import db

kit_type_products = Table(
    "kit_type_products",
    db.metadata,
    Column("kit_type_id", ForeignKey("kit_types.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
)

REPLACEMENT_REASONS = {"damaged": _l("Kit damaged"), "lost": _l("Kit lost by the subject"),
                       "other": _l("Other")}


class KitType(Audited, TimestampMixin, db.Model):
    """A kind of kit of a trial ("IBX-201 10 mg or placebo, 28 tablets"): a group of products.

    A kit is of the type whose products include the kit's product (blinded lots carry the
    blinded product, so active and placebo kits share one type).
    """

    __tablename__ = "kit_types"
    __audit_type__ = "kit_type"
    __table_args__ = (UniqueConstraint("trial_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))

    trial = relationship("Trial")
    products = relationship("Product", secondary=kit_type_products, order_by="Product.name")

    def audit_label(self):
        """Return the kit type code."""
        return self.code

    def __str__(self):
        return f"{self.code} · {self.name}"


class VisitKitType(Audited, db.Model):
    """How many kits of a type a visit of the schedule dispenses."""

    __tablename__ = "visit_kit_types"
    __audit_type__ = "visit_kit_type"
    __table_args__ = (UniqueConstraint("visit_id", "kit_type_id"),
                      CheckConstraint("quantity > 0", name="quantity_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("trial_visits.id"), index=True)
    kit_type_id: Mapped[int] = mapped_column(ForeignKey("kit_types.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)

    visit = relationship("TrialVisit", lazy="joined")
    kit_type: Mapped[KitType] = relationship(lazy="joined")

    def audit_label(self):
        """Return visit and kit type."""
        return f"V{self.visit.number if self.visit else self.visit_id} · " \
               f"{self.kit_type.code if self.kit_type else self.kit_type_id}"


class KitTypeLevel(Audited, TimestampMixin, db.Model):
    """A site's resupply minimum (trigger) and maximum (ship up to) for one kit type."""

    __tablename__ = "kit_type_levels"
    __audit_type__ = "kit_type_level"
    __table_args__ = (UniqueConstraint("site_id", "kit_type_id"),
                      CheckConstraint("minimum >= 0 AND maximum > minimum",
                                      name="min_below_max"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kit_type_id: Mapped[int] = mapped_column(ForeignKey("kit_types.id"), index=True)
    minimum: Mapped[int]
    maximum: Mapped[int]

    site = relationship("Site", lazy="joined")
    kit_type: Mapped[KitType] = relationship(lazy="joined")

    def audit_label(self):
        """Return site and kit type."""
        site = self.site.audit_label() if self.site else str(self.site_id)
        return f"{site} · {self.kit_type.code if self.kit_type else self.kit_type_id}"
