"""Blinding records: kit arms, randomisation lists and their numbers, code breaks.

Only the unblinded role reads an arm. Arms live in these tables alone, which are not Audited
where an audit entry would show an arm to a blinded auditor (KitArm, RandomisationSlot); the
records blinded users may know of (a list exists, a subject was randomised, a code was broken)
are audited without the arm.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of
from app.extensions import db

ARMS_MAX = 40
ALGORITHM = "pbr-hmac-sha256"
ALGORITHM_VERSION = 1
LIST_PURPOSES = {"production": _l("Production"), "testing": _l("Testing"),
                 "training": _l("Training")}
LIST_SOURCES = {"generated": _l("Generated here"), "uploaded": _l("Uploaded")}
CODE_BREAK_LABELS = {"broken": _l("Code broken")}
LIST_STATUSES = {"draft": _l("Waiting for verification"), "verified": _l("Verified"),
                 "retired": lazy_pgettext("randomisation list status", "Retired")}


class KitArm(db.Model):
    """The treatment arm of a kit: a separate table only the unblinded role reads."""

    # Not Audited on purpose: an audit entry would show the arm to blinded auditors.
    __tablename__ = "kit_arms"

    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), primary_key=True)
    arm: Mapped[str] = mapped_column(String(ARMS_MAX))
    recorded_at: Mapped[datetime]


class RandomisationList(Audited, TimestampMixin, db.Model):
    """A randomisation list of a trial: generated here or uploaded, verified before use."""

    __tablename__ = "randomisation_lists"
    __audit_type__ = "randomisation_list"
    # The seed and the parameters name the arms: never in the trail blinded auditors read.
    __audit_redact__ = frozenset({"seed", "parameters", "list_sha256"})
    __table_args__ = (
        UniqueConstraint("trial_id", "name"),
        one_of("purpose", LIST_PURPOSES), one_of("source", LIST_SOURCES),
        one_of("status", LIST_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    algorithm: Mapped[str | None] = mapped_column(String(40))
    algorithm_version: Mapped[int | None]
    parameters: Mapped[dict] = mapped_column(JSON)  # arms, ratio, block sizes, strata
    seed: Mapped[str | None] = mapped_column(String(200))
    seed_sha256: Mapped[str | None] = mapped_column(String(64))
    list_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]

    trial = relationship("Trial", lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])

    def signature_content(self):
        """Return what a verification signs: the list's parameters and its fingerprint."""
        return {"name": self.name, "purpose": self.purpose, "size": self.size,
                "list_sha256": self.list_sha256, "seed_sha256": self.seed_sha256}

    def audit_label(self):
        """Return the list's name (never an arm)."""
        return self.name

    def __str__(self):
        return self.name


class RandomisationSlot(db.Model):
    """One randomisation number of a list: its stratum, block and arm, and who took it."""

    # Not Audited: the row holds the arm. Taking a number audits the subject (see services).
    __tablename__ = "randomisation_slots"
    __table_args__ = (
        UniqueConstraint("list_id", "number"),
        UniqueConstraint("subject_id"),
        Index("ix_randomisation_slots_free", "list_id", "stratum", "subject_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("randomisation_lists.id"))
    number: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int]  # order of use within the stratum
    block: Mapped[int]
    stratum: Mapped[str] = mapped_column(String(200), default="")
    arm: Mapped[str] = mapped_column(String(ARMS_MAX))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    randomised_at: Mapped[datetime | None]
    randomised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    randomisation_list = relationship(RandomisationList)
    subject = relationship("Subject")


class Randomisation(Audited, db.Model):
    """That a subject was randomised: number, date and strata; never the arm."""

    __tablename__ = "randomisations"
    __audit_type__ = "randomisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("randomisation_slots.id"), unique=True)
    number: Mapped[str] = mapped_column(String(20))
    strata: Mapped[dict] = mapped_column(JSON)
    randomised_at: Mapped[datetime]
    randomised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    subject = relationship("Subject", lazy="joined")
    randomised_by = relationship("User")

    def audit_label(self):
        """Return the subject code and randomisation number."""
        return f"{self.subject.code if self.subject else self.subject_id} · {self.number}"


class CodeBreak(Audited, db.Model):
    """An emergency unblinding of one subject; each break is its own record."""

    __tablename__ = "code_breaks"
    __audit_type__ = "code_break"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    adverse_event: Mapped[bool] = mapped_column(default=False)
    broken_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    broken_at: Mapped[datetime]

    subject = relationship("Subject", lazy="joined")
    broken_by = relationship("User")

    def signature_content(self):
        """Return what a code break signs: subject, reason, adverse event flag, time."""
        return {"subject": self.subject_id, "reason": self.reason,
                "adverse_event": self.adverse_event, "broken_at": self.broken_at}

    def audit_label(self):
        """Return the subject code (never the arm)."""
        return self.subject.code if self.subject else str(self.subject_id)


class StrataCorrection(Audited, db.Model):
    """A QA-signed correction of a randomised subject's strata (the number stays)."""

    __tablename__ = "strata_corrections"
    __audit_type__ = "strata_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    randomisation_id: Mapped[int] = mapped_column(ForeignKey("randomisations.id"), index=True)
    old_strata: Mapped[dict] = mapped_column(JSON)
    new_strata: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime]

    corrected_by = relationship("User")

    def signature_content(self):
        """Return what QA signs: the strata before and after and the reason."""
        return {"randomisation": self.randomisation_id, "old": self.old_strata,
                "new": self.new_strata, "reason": self.reason}

    def audit_label(self):
        """Return the randomisation it corrects."""
        return f"#{self.randomisation_id}"
