"""What each user may see: trials, sites and subjects scoped by their sites."""

from sqlalchemy import select

from app.trials.models import Site, Subject, Trial


def visible_trials(user):
    """Return a select of the trials the user may see."""
    stmt = select(Trial)
    if user.is_site_scoped:
        stmt = stmt.where(Trial.id.in_(select(Site.trial_id).where(Site.id.in_(user.site_ids))))
    return stmt


def visible_sites(user):
    """Return a select of the sites the user may see."""
    stmt = select(Site).join(Trial)
    if user.is_site_scoped:
        stmt = stmt.where(Site.id.in_(user.site_ids))
    return stmt


def visible_subjects(user):
    """Return a select of the subjects the user may see."""
    stmt = select(Subject).join(Site).join(Trial, Subject.trial_id == Trial.id)
    if user.is_site_scoped:
        stmt = stmt.where(Subject.site_id.in_(user.site_ids))
    return stmt


def can_see_site(user, site):
    """Return True when the site is within the user's scope."""
    return not user.is_site_scoped or site.id in user.site_ids


def can_see_identity(user, subject):
    """Return True when the user may read who the subject is."""
    return user.can("subjects.identity") and can_see_site(user, subject.site)
