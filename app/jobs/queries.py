"""Read-only scoping of jobs: a user sees only their own."""

from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import Job


def jobs_of(user):
    """Return the statement of the user's own jobs."""
    return select(Job).where(Job.owner_id == user.id)


def own_job_or_none(user, job_id):
    """Return the user's job of this id, or None (another user's job is not found)."""
    return db.session.scalar(jobs_of(user).where(Job.id == job_id))


def failed_jobs():
    """Return the statement of every failed job (the admin's queue)."""
    return select(Job).where(Job.status == "failed")


def count_failed(session, user):
    """Return how many jobs have failed (the admin's work queue)."""
    return session.scalar(select(func.count()).select_from(failed_jobs().subquery()))


def ready_jobs_for(kind, key, value, job_id=None):
    """Return the statement of every user's ready jobs of a kind whose parameter ``key`` is
    ``value`` (the files of one record, e.g. a payment batch's SEPA files), newest first;
    only the job ``job_id`` when given. The caller checks the kind's permission: these are
    not only the user's own."""
    stmt = select(Job).where(Job.kind == kind, Job.status == "ready",
                             Job.params[key].as_integer() == value)
    if job_id is not None:
        stmt = stmt.where(Job.id == job_id)
    return stmt.order_by(Job.id.desc())
