"""Trials, their visit schedules, sites and pseudonymised subjects."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin, one_of
from app.extensions import db

TRIAL_PHASES = ("I", "I/II", "II", "II/III", "III", "IV", "N/A")
TRIAL_KINDS = {
    "drug": _l("Medicinal product"),
    "cell_therapy": _l("Cell therapy"),
    "device": _l("Medical device"),
}
TRIAL_STATUSES = {
    "setup": _l("In set-up"),
    "active": _l("Active"),
    "on_hold": _l("On hold"),
    "closed": _l("Closed"),
}
SITE_STATUSES = {"active": _l("Active"), "closed": _l("Closed")}
SUBJECT_STATUSES = {
    "screening": _l("Screening"),
    "enrolled": _l("Enrolled"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "screen_failed": _l("Screen failure"),
}


def _protocol_of(record):
    """Return the protocol code of a record's trial, loaded by id when only the id is set yet
    (a visit or site created with ``trial_id=`` is labelled before its relation is loaded)."""
    trial = record.trial
    if trial is None and record.trial_id is not None:
        session = object_session(record)
        if session is not None:
            with session.no_autoflush:
                trial = session.get(Trial, record.trial_id)
    return trial.protocol_code if trial is not None else ""


class Trial(Audited, TimestampMixin, db.Model):
    """A clinical trial the distributor serves for a sponsor."""

    __tablename__ = "trials"
    __audit_type__ = "trial"
    __audit_reason_required__ = True
    __table_args__ = (
        one_of("phase", TRIAL_PHASES),
        one_of("kind", TRIAL_KINDS),
        one_of("status", TRIAL_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_code: Mapped[str] = mapped_column(String(40), unique=True)
    eu_ct_number: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    sponsor: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(20), default="drug")
    status: Mapped[str] = mapped_column(String(20), default="setup")
    blinded: Mapped[bool] = mapped_column(default=False)
    countries: Mapped[str] = mapped_column(String(200), default="ES")
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_address: Mapped[str] = mapped_column(String(500))
    contact_phone: Mapped[str] = mapped_column(String(40))

    visits: Mapped[list["TrialVisit"]] = relationship(
        back_populates="trial", order_by="TrialVisit.number", lazy="selectin"
    )
    sites: Mapped[list["Site"]] = relationship(
        back_populates="trial", order_by="Site.site_number"
    )

    def audit_label(self):
        """Return the protocol code."""
        return self.protocol_code

    def __str__(self):
        return self.protocol_code

    @property
    def country_list(self):
        """Return the ISO country codes as a list."""
        return [c for c in (self.countries or "").split(",") if c]

    def signature_content(self):
        """Return what an approval of the trial set-up signs."""
        return {
            "protocol_code": self.protocol_code, "eu_ct_number": self.eu_ct_number,
            "title": self.title, "sponsor": self.sponsor, "phase": self.phase,
            "blinded": self.blinded, "countries": self.countries,
            "contact": [self.contact_name, self.contact_address, self.contact_phone],
            "visits": [[v.number, v.name, v.day_offset, v.window_before, v.window_after]
                       for v in self.visits if v.active],
        }


class TrialVisit(Audited, db.Model):
    """One visit of a trial's schedule: number, name, day and window."""

    __tablename__ = "trial_visits"
    __audit_type__ = "trial_visit"
    __table_args__ = (
        UniqueConstraint("trial_id", "number"),
        CheckConstraint("window_before >= 0 AND window_after >= 0", name="window_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    day_offset: Mapped[int]
    window_before: Mapped[int] = mapped_column(default=0)
    window_after: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    trial: Mapped[Trial] = relationship(back_populates="visits")

    def audit_label(self):
        """Return trial and visit number."""
        return f"{_protocol_of(self)} V{self.number}"


class Site(Audited, TimestampMixin, db.Model):
    """A hospital taking part in one trial, under a principal investigator."""

    __tablename__ = "sites"
    __audit_type__ = "site"
    __audit_reason_required__ = True
    __table_args__ = (
        UniqueConstraint("trial_id", "site_number"),
        one_of("status", SITE_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    site_number: Mapped[str] = mapped_column(String(20))
    hospital: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    country: Mapped[str] = mapped_column(String(2), default="ES")
    principal_investigator: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="active")

    trial: Mapped[Trial] = relationship(back_populates="sites", lazy="joined")
    subjects: Mapped[list["Subject"]] = relationship(back_populates="site")

    def audit_label(self):
        """Return trial and site number."""
        return f"{_protocol_of(self)}-{self.site_number}"

    def __str__(self):
        return f"{self.site_number} · {self.hospital}"


class Subject(Audited, TimestampMixin, db.Model):
    """A pseudonymised trial participant: a code, a site, a status."""

    __tablename__ = "subjects"
    __audit_type__ = "subject"
    __audit_reason_required__ = True
    __table_args__ = (
        UniqueConstraint("trial_id", "code"),
        one_of("status", SUBJECT_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="screening")
    enrolment_date: Mapped[date | None] = mapped_column(Date)

    trial: Mapped[Trial] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(back_populates="subjects", lazy="joined")
    identity: Mapped["SubjectIdentity | None"] = relationship(
        back_populates="subject", uselist=False
    )

    def audit_label(self):
        """Return the pseudonymised code."""
        return self.code

    def __str__(self):
        return self.code


class SubjectIdentity(Audited, TimestampMixin, db.Model):
    """Who the subject is: read only by their site's staff, finance and themself."""

    __tablename__ = "subject_identities"
    __audit_type__ = "subject_identity"
    __audit_reason_required__ = True
    # Identity never enters the immutable trail: erasure must be able to blank it.
    __audit_redact__ = frozenset({
        "full_name", "email", "phone", "address", "postal_code", "city", "national_id",
        "date_of_birth",
    })

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    national_id: Mapped[str | None] = mapped_column(String(20))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    erased: Mapped[bool] = mapped_column(default=False)

    subject: Mapped[Subject] = relationship(back_populates="identity")

    def audit_label(self):
        """Return the subject code, never the name."""
        return self.subject.code if self.subject else str(self.subject_id)

