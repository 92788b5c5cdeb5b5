"""Electronic signatures bound to the hash of what was signed."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import utcnow
from app.extensions import db

# The meaning a signer confirms; shown on screen and printed on every PDF.
MEANINGS = {
    "approved": _l("Approved"),
    "released": _l("Released"),
    "rejected": _l("Rejected"),
    "verified": _l("Verified"),
    "reviewed": _l("Reviewed"),
    "received": _l("Received"),
    "validated": _l("Validated"),
    "submitted": _l("Submitted"),
    "witnessed_destruction": _l("Witnessed destruction"),
    "performed": _l("Performed"),
    "code_broken": _l("Code broken"),
    "certified": _l("Certified"),
}


class Signature(Audited, db.Model):
    """Who signed which record, when, meaning what, over which content hash."""

    __tablename__ = "signatures"
    __audit_type__ = "signature"
    __table_args__ = (
        Index("ix_signatures_entity", "entity_type", "entity_id"),
        # One signature per meaning per record and signer role. Signatures made before the
        # role was recorded keep role '' and stay as they were (the table is append-only).
        Index("uq_signatures_meaning_role", "entity_type", "entity_id", "meaning", "role",
              unique=True, sqlite_where=text("role <> ''"),
              postgresql_where=text("role <> ''")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20), default="", server_default="")
    comment: Mapped[str | None] = mapped_column(Text)

    signer = relationship("User", lazy="joined")

    def audit_label(self):
        """Return what was signed and its meaning."""
        return f"{self.entity_type} {self.entity_id}: {self.meaning}"

    @property
    def meaning_label(self):
        """Return the translated meaning."""
        return MEANINGS.get(self.meaning, self.meaning)
