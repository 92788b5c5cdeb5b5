"""Out-of-tolerance impact assessments that QA closes with a decision and e-signature."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import one_of, utcnow
from app.extensions import db

IMPACT_STATES = {"open": _l("Open"), "closed": _l("Closed")}
IMPACT_DECISIONS = {
    "no_impact": _l("No impact on subjects or data"),
    "data_flagged": _l("Affected measurements flagged to the sponsor"),
    "repeat_measurements": _l("Measurements to be repeated"),
}


class ImpactAssessment(Audited, db.Model):
    """What a device found out of tolerance may have affected, and QA's decision."""

    __tablename__ = "impact_assessments"
    __audit_type__ = "impact_assessment"
    __table_args__ = (one_of("status", IMPACT_STATES),
                      one_of("decision", IMPACT_DECISIONS, nullable=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("calibration_records.id"), unique=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    summary: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(30))
    conclusion: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    device = relationship("Device", lazy="joined")
    record = relationship("CalibrationRecord")

    def audit_label(self):
        """Return the device serial and certificate."""
        return f"{self.device.serial if self.device else self.device_id}"

    def signature_content(self):
        """Return what QA signs: the period, the figures and the decision."""
        return {"device_id": self.device_id, "record_id": self.record_id, "since": self.since,
                "until": self.until, "summary": self.summary, "decision": self.decision,
                "conclusion": self.conclusion}
