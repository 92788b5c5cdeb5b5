"""Label templates, label runs with their reconciliation, printed labels, relabelling."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of, utcnow
from app.extensions import db

PACKAGINGS = {"outer": _l("Outer packaging (Annex VI A.1)"),
              "immediate": _l("Immediate packaging (Annex VI A.1)"),
              "small": _l("Small immediate pack: blister, ampoule (Annex VI A.2.2)"),
              "extension": _l("Additional label: expiry extension (Annex VI A.3)")}
LANGUAGES = {"es": _l("Spanish"), "pt": _l("Portuguese")}
TEMPLATE_STATUSES = {"draft": _l("Draft"), "approved": _l("Approved"),
                     "retired": lazy_pgettext("label template status", "Retired")}
LAYOUTS = {"roll": _l("Roll: one label per page"),
           "a4": _l("A4 sheets with crop marks")}
RUN_SCOPES = {"lot": _l("A lot"), "range": _l("A range of kit numbers"),
              "shipment": _l("The kits picked for a shipment"),
              "campaign": _l("A relabel campaign")}
RUN_STATUSES = {"requested": _l("Requested"), "printed": _l("Printed"),
                "closed": _l("Closed")}
CAMPAIGN_STATUSES = {"open": _l("Open"), "closed": _l("Closed")}
PLACES = {"depot": _l("At the depot"), "site": _l("At the site (pharmacist)")}
LETTERS = "abcdefghijkl"


class LabelTemplate(Audited, TimestampMixin, db.Model):
    """The text of a label for one trial, packaging and language; approved by QA."""

    __tablename__ = "label_templates"
    __audit_type__ = "label_template"
    __table_args__ = (
        one_of("packaging", PACKAGINGS), one_of("language", LANGUAGES),
        one_of("status", TEMPLATE_STATUSES),
        UniqueConstraint("trial_id", "name", "version"),
        CheckConstraint("width_mm > 0 AND height_mm > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    packaging: Mapped[str] = mapped_column(String(20), default="outer")
    language: Mapped[str] = mapped_column(String(2), default="es")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    width_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("100"))
    height_mm: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("70"))
    font_size: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("7.5"))
    particular_a: Mapped[str | None] = mapped_column(String(500))
    particular_b: Mapped[str | None] = mapped_column(String(500))
    particular_c: Mapped[str | None] = mapped_column(String(500))
    particular_d: Mapped[str | None] = mapped_column(String(500))
    particular_e: Mapped[str | None] = mapped_column(String(500))
    particular_f: Mapped[str | None] = mapped_column(String(500))
    particular_g: Mapped[str | None] = mapped_column(String(500))
    particular_h: Mapped[str | None] = mapped_column(String(500))
    particular_i: Mapped[str | None] = mapped_column(String(500))
    particular_j: Mapped[str | None] = mapped_column(String(500))
    particular_k: Mapped[str | None] = mapped_column(String(500))
    particular_l: Mapped[str | None] = mapped_column(String(500))
    approved_at: Mapped[datetime | None]

    trial = relationship("Trial", lazy="joined")
    product = relationship("Product")

    def audit_label(self):
        """Return name and version."""
        return f"{self.name} v{self.version}"

    def particular(self, letter):
        """Return the text of one particular (a-l), or ''."""
        return getattr(self, f"particular_{letter}") or ""

    def signature_content(self):
        """Return what QA signs: every particular, the size and the language."""
        return {"name": self.name, "version": self.version, "packaging": self.packaging,
                "language": self.language,
                "size": [Decimal(str(self.width_mm)), Decimal(str(self.height_mm))],
                "particulars": {letter: self.particular(letter) for letter in LETTERS}}


class LabelRun(Audited, TimestampMixin, db.Model):
    """One print of labels for a set of kits, then its reconciliation."""

    __tablename__ = "label_runs"
    __audit_type__ = "label_run"
    __table_args__ = (
        one_of("scope", RUN_SCOPES), one_of("layout", LAYOUTS), one_of("status", RUN_STATUSES),
        CheckConstraint("applied >= 0 AND spoiled >= 0 AND destroyed >= 0",
                        name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("label_templates.id"))
    scope: Mapped[str] = mapped_column(String(20))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    first_kit: Mapped[str | None] = mapped_column(String(40))
    last_kit: Mapped[str | None] = mapped_column(String(40))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("expiry_extensions.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    layout: Mapped[str] = mapped_column(String(10), default="roll")
    status: Mapped[str] = mapped_column(String(20), default="requested")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    kit_count: Mapped[int] = mapped_column(default=0)
    printed: Mapped[int] = mapped_column(default=0)
    applied: Mapped[int] = mapped_column(default=0)
    spoiled: Mapped[int] = mapped_column(default=0)
    destroyed: Mapped[int] = mapped_column(default=0)
    discrepancy_reason: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    printed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    template: Mapped[LabelTemplate] = relationship(lazy="joined")
    trial = relationship("Trial", lazy="joined")
    lot = relationship("Lot")
    shipment = relationship("Shipment")
    job = relationship("Job")

    def audit_label(self):
        """Return the run number."""
        return f"LR-{self.id:06d}"


class LabelPrint(db.Model):
    """One label printed for one kit: which run and which template version it carries."""

    __tablename__ = "label_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("label_runs.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("label_templates.id"))
    template_version: Mapped[int]
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[LabelRun] = relationship()
    template: Mapped[LabelTemplate] = relationship()


class ExpiryExtension(Audited, TimestampMixin, db.Model):
    """QA's new expiry for a lot with its justification: the relabel campaign."""

    __tablename__ = "expiry_extensions"
    __audit_type__ = "expiry_extension"
    __table_args__ = (one_of("status", CAMPAIGN_STATUSES),
                      CheckConstraint("new_expiry > old_expiry", name="expiry_later"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    old_expiry: Mapped[date] = mapped_column(Date)
    new_expiry: Mapped[date] = mapped_column(Date)
    justification: Mapped[str] = mapped_column(String(500))
    stability_reference: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="open")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    lot = relationship("Lot", lazy="joined")

    def audit_label(self):
        """Return lot and new expiry."""
        return f"{self.lot.number if self.lot else self.lot_id} → {self.new_expiry.isoformat()}"


class RelabelledKit(Audited, db.Model):
    """A kit given the additional expiry label: by whom, when and where."""

    __tablename__ = "relabelled_kits"
    __audit_type__ = "relabelled_kit"
    __table_args__ = (UniqueConstraint("campaign_id", "kit_id"), one_of("place", PLACES))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("expiry_extensions.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    place: Mapped[str] = mapped_column(String(10))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    relabelled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    relabelled_at: Mapped[datetime] = mapped_column(default=utcnow)

    kit = relationship("Kit", lazy="joined")
    relabelled_by = relationship("User", lazy="joined")

    def audit_label(self):
        """Return the kit number."""
        return self.kit.kit_number if self.kit else str(self.kit_id)
