"""Import records with their documents, QP certifications and release per country."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, ForeignKey, Numeric, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of, utcnow
from app.extensions import db

DOCUMENT_KINDS = {"coa": _l("Certificate of analysis"), "gmp": _l("GMP certificate"),
                  "invoice": _l("Commercial invoice"), "release": _l("Release document"),
                  "other": _l("Other document")}
COUNTRY_NAMES = {"ES": _l("Spain"), "PT": _l("Portugal"), "FR": _l("France"),
                 "IT": _l("Italy"), "DE": _l("Germany"), "US": _l("United States"),
                 "GB": _l("United Kingdom"), "CH": _l("Switzerland"), "IN": _l("India"),
                 "CN": _l("China"), "JP": _l("Japan"), "CA": _l("Canada")}

import_lots = Table(
    "import_lots",
    db.metadata,
    Column("import_id", ForeignKey("import_records.id"), primary_key=True),
    Column("lot_id", ForeignKey("lots.id"), primary_key=True, unique=True),
)


class ImportRecord(Audited, TimestampMixin, db.Model):
    """Medication made outside the EU arriving at the depot: customs, lots, documents."""

    __tablename__ = "import_records"
    __audit_type__ = "import_record"
    __audit_collections__ = ("lots",)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    supplier: Mapped[str] = mapped_column(String(200))
    manufacturer: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    arrival_temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    customs_document: Mapped[str | None] = mapped_column(String(40))
    customs_cleared_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    trial = relationship("Trial", lazy="joined")
    lots = relationship("Lot", secondary=import_lots, order_by="Lot.number")
    documents: Mapped[list["ImportDocument"]] = relationship(
        back_populates="import_record", order_by="ImportDocument.id")

    def audit_label(self):
        """Return the import reference."""
        return self.reference

    @property
    def cleared(self):
        """Return True once customs clearance (document and date) is recorded."""
        return bool(self.customs_document and self.customs_cleared_on)


class ImportDocument(Audited, db.Model):
    """A stored file attached to an import: certificate of analysis, GMP, invoice."""

    __tablename__ = "import_documents"
    __audit_type__ = "import_document"
    __table_args__ = (one_of("kind", DOCUMENT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    import_record: Mapped[ImportRecord] = relationship(back_populates="documents")
    file = relationship("StoredFile", lazy="joined")

    def audit_label(self):
        """Return the kind and file name."""
        return f"{self.kind}: {self.file.original_name if self.file else self.file_id}"


class QpCertification(Audited, db.Model):
    """The Qualified Person's certification of a lot (signed, meaning "certified")."""

    __tablename__ = "qp_certifications"
    __audit_type__ = "qp_certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), unique=True)
    certified_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    certified_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str | None] = mapped_column(String(500))

    lot = relationship("Lot", lazy="joined")
    certified_by = relationship("User", lazy="joined")

    def audit_label(self):
        """Return the lot number."""
        return self.lot.number if self.lot else str(self.lot_id)

    def signature_content(self):
        """Return what the QP signs: the lot and its product. The expiry is left out: a
        relabelling campaign may later extend it under its own approval, and the lot stays
        certified."""
        return {"lot": self.lot.number, "product": self.lot.product.name}


class CountryRelease(Audited, db.Model):
    """The sponsor's regulatory release of a certified lot for one country."""

    __tablename__ = "country_releases"
    __audit_type__ = "country_release"
    __table_args__ = (UniqueConstraint("lot_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    authorised_by: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(80))
    released_on: Mapped[date] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot = relationship("Lot", lazy="joined")
    document = relationship("StoredFile")

    def audit_label(self):
        """Return lot and country."""
        return f"{self.lot.number if self.lot else self.lot_id} · {self.country}"
