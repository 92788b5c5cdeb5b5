"""The audit trail: append-only entries chained by hash, and the chain's head."""

from datetime import datetime

from sqlalchemy import Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.extensions import db

GENESIS_HASH = "0" * 64
# How an entry's hash was made: 1 = plain SHA-256 (entries written before the audit key
# existed, migration 0010), 2 = HMAC-SHA256 with AUDIT_HMAC_KEY (every entry since).
CHAIN_UNKEYED, CHAIN_KEYED = 1, 2


class AuditEntry(db.Model):
    """One change or event: who, when, what, old and new values, why."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_name: Mapped[str | None] = mapped_column(String(200))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    entity_label: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    changes: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Rows without an explicit version predate the key; the app always writes CHAIN_KEYED.
    chain_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")


class AuditChainHead(db.Model):
    """The single row holding the newest hash; writers lock it to append in order."""

    __tablename__ = "audit_chain_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
