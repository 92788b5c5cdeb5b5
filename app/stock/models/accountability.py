"""Frozen drug accountability snapshots that the pharmacist signs and the monitor verifies."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import utcnow
from app.extensions import db


class AccountabilityReview(Audited, db.Model):
    """A frozen drug accountability snapshot of a site or trial, to sign and verify."""

    __tablename__ = "accountability_reviews"
    __audit_type__ = "accountability_review"
    __signed_content_shared__ = True  # "submitted" and "verified" sign the same frozen log
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
