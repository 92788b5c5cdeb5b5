"""The record of every alert told: what makes "once" hold, even when two runs race."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.extensions import db


class SentAlert(db.Model):
    """One alert item told to one person; the unique key refuses telling it twice."""

    __tablename__ = "sent_alerts"
    __table_args__ = (UniqueConstraint("alert", "item_key", "user_id",
                                       name="uq_sent_alerts_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert: Mapped[str] = mapped_column(String(60))
    # The item and the threshold it crossed (e.g. "dns:12:34:2026-12-03").
    item_key: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sent_on: Mapped[datetime] = mapped_column(default=utcnow)
