"""The one model for uploaded files."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.audit.services import Audited
from app.core.models import utcnow
from app.extensions import db


class StoredFile(Audited, db.Model):
    """An uploaded file: original name, safe storage key, sniffed type, size, SHA-256."""

    __tablename__ = "stored_files"
    __audit_type__ = "file"
    # File names are typed by whoever uploads (patients name receipts): hidden from audit
    # readers without the identity permission.
    __audit_patient_text__ = frozenset({"original_name"})
    __audit_patient_label__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def audit_label(self):
        """Return the original file name."""
        return self.original_name
