"""The job row: who asked for which file, how far it got, where the result is kept."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import utcnow
from app.extensions import db

JOB_STATUSES = {
    "queued": _l("Waiting"),
    "running": _l("Being prepared"),
    "ready": _l("Ready"),
    "failed": _l("Failed"),
    "expired": _l("Expired"),
}


class Job(Audited, db.Model):
    """A file built in the background for one user (the permission check and the trail)."""

    __tablename__ = "jobs"
    __audit_type__ = "job"
    __table_args__ = (
        CheckConstraint("status IN ({})".format(", ".join(f"'{s}'" for s in JOB_STATUSES)),
                        name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    file_name: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    owner = relationship("User")
    file = relationship("StoredFile")

    def audit_label(self):
        """Return the job's title."""
        return self.title

    @property
    def status_label(self):
        return JOB_STATUSES.get(self.status, self.status)
