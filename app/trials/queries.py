"""What each user may see: trials, sites and subjects scoped by their sites."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.trials.models import Site, Subject, Trial


def visible_trials(user, permission="trials.view"):
    """Return a select of the trials the permission lets the user see."""
    stmt = select(Trial)
    if user.role_site_scope(permission) is not None:
        scope = user.site_scope(permission)
        stmt = stmt.where(Trial.id.in_(select(Site.trial_id).where(Site.id.in_(scope))))
    return within_sponsors(stmt, user, Trial.id)


def within_sponsors(stmt, user, trial_column):
    """Narrow a select to the trials of the sponsors the account is limited to (if any)."""
    allowed = user.sponsor_trials()
    if allowed is None:
        return stmt
    return stmt.where(trial_column.in_(allowed or {0}))


def can_see_trial(user, trial, permission="trials.view"):
    """Return True when the permission reaches the trial (its sites, its sponsor)."""
    if not user.sees_trial(trial.id):
        return False
    scope = user.role_site_scope(permission)
    return scope is None or any(site.id in scope for site in trial.sites)


def visible_sites(user, permission="sites.view"):
    """Return a select of the sites the permission lets the user see."""
    stmt = select(Site).join(Trial)
    scope = user.site_scope(permission)
    if scope is not None:
        stmt = stmt.where(Site.id.in_(scope))
    return stmt


def visible_subjects(user, permission="subjects.view"):
    """Return a select of the subjects the permission lets the user see."""
    stmt = select(Subject).join(Site).join(Trial, Subject.trial_id == Trial.id)
    scope = user.site_scope(permission)
    if scope is not None:
        stmt = stmt.where(Subject.site_id.in_(scope))
    return stmt


def can_see_site(user, site, permission="sites.view"):
    """Return True when the permission reaches the site for this user."""
    return user.sees_site(permission, site.id)


def can_see_identity(user, subject):
    """Return True when the user may read who the subject is."""
    return user.can("subjects.identity") and can_see_site(user, subject.site,
                                                          "subjects.identity")


def trial_choices(session, user):
    """Return (id, "code · title") pairs of the trials the user may see."""
    trials = session.scalars(visible_trials(user).order_by(Trial.protocol_code))
    return [(t.id, f"{t.protocol_code} · {t.title[:60]}") for t in trials]


def site_choices(session, user, trial_id=None):
    """Return (id, "trial · number · hospital") pairs of the sites the user may see."""
    # The choices need the trial's code; its visits load only if something reads them.
    stmt = (visible_sites(user).order_by(Trial.protocol_code, Site.site_number)
            .options(joinedload(Site.trial).lazyload(Trial.visits)))
    if trial_id:
        stmt = stmt.where(Site.trial_id == trial_id)
    return [(s.id, f"{s.trial.protocol_code} · {s.site_number} · {s.hospital}")
            for s in session.scalars(stmt)]


def sponsor_names(session, user):
    """Return the names of the sponsors of the trials the user sees, alphabetically."""
    return list(session.scalars(within_sponsors(select(Trial.sponsor), user, Trial.id)
                                .distinct().order_by(Trial.sponsor)))


def site_counts(session, trial_ids):
    """Return {trial id: number of sites}."""
    rows = session.execute(select(Site.trial_id, func.count()).where(
        Site.trial_id.in_(trial_ids)).group_by(Site.trial_id))
    return dict(rows.all())


def subject_counts(session, site_ids):
    """Return {site id: number of subjects}."""
    rows = session.execute(select(Subject.site_id, func.count()).where(
        Subject.site_id.in_(site_ids)).group_by(Subject.site_id))
    return dict(rows.all())
