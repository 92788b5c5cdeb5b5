"""Accounts, their roles and the sites a site-scoped account may see."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.audit.services import Audited
from app.core.models import TimestampMixin
from app.core.permissions import ROLE_PERMISSIONS, ROLES, SITE_SCOPED_ROLES, permissions_for
from app.extensions import db

user_sites = Table(
    "user_sites",
    db.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
)


# Roles bound to the account's sites (patients reach no site at all).
SCOPED_ROLES = SITE_SCOPED_ROLES | {"patient"}


def new_session_token():
    """Return a fresh random token; rotating it ends every session of the account."""
    return secrets.token_urlsafe(24)


class UserRole(db.Model):
    """One role held by one account."""

    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="known_role"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    def audit_label(self):
        """Return the role name for audit lists."""
        return self.role


class UserSponsor(db.Model):
    """One sponsor whose trials a limited account may see (no row: every sponsor)."""

    __tablename__ = "user_sponsors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sponsor: Mapped[str] = mapped_column(String(200), primary_key=True)

    def audit_label(self):
        """Return the sponsor's name for audit lists."""
        return self.sponsor


class User(Audited, TimestampMixin, UserMixin, db.Model):
    """A person who logs in: staff, monitor or patient."""

    __tablename__ = "users"
    __audit_type__ = "user"
    __audit_redact__ = frozenset({"password_hash", "session_token"})
    __audit_ignore__ = frozenset({"created_at", "updated_at", "last_seen_at"})
    __audit_collections__ = ("role_links", "sites", "sponsor_links")
    __table_args__ = (CheckConstraint("language IN ('es', 'en')", name="known_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="es")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    failed_signatures: Mapped[int] = mapped_column(default=0)
    signing_locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]

    role_links: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    sites: Mapped[list["Site"]] = relationship(  # noqa: F821 - resolved by name
        secondary=user_sites, lazy="selectin", order_by="Site.site_number"
    )

    sponsor_links: Mapped[list[UserSponsor]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserSponsor.sponsor
    )

    def audit_label(self):
        """Return the e-mail address for audit lists (a pseudonym for patients)."""
        return self.audit_name if self.is_patient else self.email

    def audit_redacted(self):
        """Keep patients' names and addresses out of the trail monitors read."""
        if self.is_patient:
            return self.__audit_redact__ | {"full_name", "email"}
        return self.__audit_redact__

    @property
    def is_patient(self):
        """Return True for patient and caregiver accounts."""
        return "patient" in self.roles

    @property
    def audit_name(self):
        """Return how the trail names this person: staff by name, patients by number."""
        return f"patient #{self.id}" if self.is_patient else self.full_name

    def __str__(self):
        return self.full_name

    # Flask-Login: the id carries the session token, so rotating it ends old sessions.
    def get_id(self):
        """Return the session identity: user id and current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self):
        return self.active

    @property
    def roles(self):
        """Return the set of role names held."""
        return {link.role for link in self.role_links}

    def has_role(self, *roles):
        """Return True when any of the roles is held."""
        return bool(self.roles & set(roles))

    def can(self, permission):
        """Return True when one of the account's roles grants the permission."""
        if permission is None:
            return True
        return permission in permissions_for(self.roles)

    def site_scope(self, permission):
        """Return the sites a permission reaches: None for every site, else a set of site ids.

        A permission the domains declare site-scoped (REGISTRY.site_scoped), held through a
        site-scoped role, reaches only the account's own sites, whatever other roles it holds;
        only a role that is not site-scoped and grants the same permission itself (finance for
        claims, the monitor for pseudonymised subject lists) widens it to every site. A
        permission the account does not hold reaches no site (an empty set). An account
        limited to some sponsors reaches only the sites of those sponsors' trials.
        """
        scope = self.role_site_scope(permission)
        allowed = self.sponsor_sites()
        if allowed is None:
            return scope
        return allowed if scope is None else scope & allowed

    def role_site_scope(self, permission):
        """Return the sites the roles alone let the permission reach (no sponsor limit)."""
        from app.core.domains import REGISTRY

        granting = {role for role in self.roles
                    if permission in ROLE_PERMISSIONS.get(role, ())}
        if not granting:
            return set()
        if permission not in REGISTRY.site_scoped or granting - SCOPED_ROLES:
            return None
        return {site.id for site in self.sites}

    def sees_site(self, permission, site_id):
        """Return True when the permission reaches the site."""
        scope = self.site_scope(permission)
        return scope is None or site_id in scope

    @property
    def sponsors(self):
        """Return the sponsors the account is limited to (empty: every sponsor)."""
        return [link.sponsor for link in self.sponsor_links]

    def sponsor_trials(self):
        """Return the ids of the trials the sponsor limit lets through, None when unlimited."""
        return self._sponsor_ids("trials")

    def sponsor_sites(self):
        """Return the ids of the sites of the allowed sponsors' trials, None when unlimited."""
        return self._sponsor_ids("sites")

    def _sponsor_ids(self, kind):
        if not self.sponsor_links:
            return None
        from flask import g, has_request_context

        from app.extensions import db
        from app.trials.api import Site, Trial

        key = ("sponsor_scope", kind, self.id, tuple(self.sponsors))
        cache = g.setdefault("sponsor_scope", {}) if has_request_context() else {}
        if key not in cache:
            stmt = (db.select(Trial.id) if kind == "trials"
                    else db.select(Site.id).join(Trial, Site.trial_id == Trial.id))
            cache[key] = set(db.session.scalars(stmt.where(Trial.sponsor.in_(self.sponsors))))
        return set(cache[key])

    def sees_trial(self, trial_id):
        """Return True when the sponsor limit lets the trial through."""
        allowed = self.sponsor_trials()
        return allowed is None or trial_id in allowed

    @property
    def site_ids(self):
        """Return the ids of the sites assigned to the account (within its sponsor limit)."""
        mine = {site.id for site in self.sites}
        allowed = self.sponsor_sites()
        return mine if allowed is None else mine & allowed
