"""At the site: kits dispensed to subjects and kits they bring back."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import one_of
from app.extensions import db

RETURN_CONDITIONS = {"unused": _l("Unused, sealed"), "opened": _l("Opened, partly used"),
                     "damaged": _l("Damaged")}


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
    # A replacement (kit damaged or lost) names the dispensing it replaces and why.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("dispensings.id"))
    replacement_reason: Mapped[str | None] = mapped_column(String(20))
    explanation: Mapped[str | None] = mapped_column(String(500))
    off_window_reason: Mapped[str | None] = mapped_column(String(500))

    kit = relationship("Kit", lazy="joined")
    subject = relationship("Subject", lazy="joined")
    visit = relationship("TrialVisit", lazy="joined")
    replaces = relationship("Dispensing", remote_side=[id])

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
        one_of("condition", RETURN_CONDITIONS),
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
