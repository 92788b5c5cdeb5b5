"""Start, run, retry, expire and hand out background jobs. Never commits, except ``run``
and ``sweep``, which are task bodies: they own their transactions like a request does."""

import os
import secrets
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.core.domains import REGISTRY
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.states import apply_transition
from app.files.services import object_key, store_path
from app.files.storage import get_storage
from app.jobs import queue
from app.jobs.models import Job
from app.jobs.states import JOB

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How often a running job writes its rows done to the queue's store (seconds).
PROGRESS_EVERY = 0.5


def kind_of(name):
    """Return the declared JobKind of this name."""
    kind = REGISTRY.job_kinds.get(name)
    if kind is None:
        raise DomainError(_("This kind of file is not known."))
    return kind


def threshold():
    """Return the row count above which an export runs as a job."""
    return current_app.config["EXPORT_JOB_THRESHOLD_ROWS"]


def is_large(total):
    """Return True when an export of this many rows runs as a job."""
    return total > threshold()


def refuse_without_queue():
    """Raise a DomainError when the job queue cannot be reached (Redis down)."""
    if not queue.queue_reachable():
        raise DomainError(_(
            "Large files cannot be prepared right now: the background queue is not "
            "reachable. Narrow the filters to at most %(rows)s rows to download at once, or "
            "try again later.", rows=threshold()))


def start_job(session, user, kind_name, params, total):
    """Create the job row (queued) for a large export; the caller enqueues it after commit."""
    kind = kind_of(kind_name)
    if not user.can(kind.permission):
        raise DomainError(_("You are not allowed to prepare this file."))
    refuse_without_queue()
    job = Job(owner_id=user.id, kind=kind.name, title=str(kind.label)[:200],
              params=dict(params), status="queued", rows_total=total or 0)
    session.add(job)
    session.flush()
    return job


def enqueue(session, job):
    """Hand a committed job to the queue; if the queue refuses, mark the job failed."""
    from app.jobs.tasks import run_job

    try:
        run_job(job.id)
    except Exception as error:  # noqa: BLE001 - the queue's own error, told to the user
        session.rollback()
        job = session.get(Job, job.id)
        if job is not None and job.status == "queued":
            apply_transition(session, JOB, job, "fail", values={
                "error": _("The background queue is not reachable: %(error)s",
                           error=str(error)[:300])})
            session.commit()


def retry_job(session, user, job):
    """Put a failed job back in the queue (its owner only)."""
    kind = kind_of(job.kind)
    if not user.can(kind.permission):
        raise DomainError(_("You are not allowed to prepare this file."))
    refuse_without_queue()
    apply_transition(session, JOB, job, "retry", by=user,
                     values={"error": None, "rows_done": 0, "finished_at": None})
    queue.huey.put(queue.progress_key(job.id), {"rows": 0, "saved": None})
    return job


def download_check(user, job):
    """Return the stored file of a ready job, or raise DomainError saying why not."""
    if job.status == "expired":
        raise DomainError(_("This file has expired: files are kept %(days)s days. Prepare "
                            "the export again.", days=current_app.config["JOB_FILE_DAYS"]))
    if job.status != "ready" or job.file is None:
        raise DomainError(_("This file is not ready yet."))
    if not user.can(kind_of(job.kind).permission):
        raise DomainError(_("You are no longer allowed to download this file."))
    return job.file


def live_progress(job):
    """Return (rows done, percent compressed or None) of a job, live from the queue's store
    while it runs (the job row stays the truth when the store has nothing)."""
    if job.status != "running":
        return (job.rows_total if job.status == "ready" else job.rows_done), None
    try:
        value = queue.huey.get(queue.progress_key(job.id), peek=True)
    except Exception:  # noqa: BLE001 - progress is best effort; the row stays the truth
        value = None
    if isinstance(value, dict):
        return int(value["rows"]), value.get("saved")
    return (int(value) if value is not None else job.rows_done), None


def rows_done(job):
    """Return how many rows a job has written."""
    return live_progress(job)[0]


def job_link(job):
    """Return the path of a job's page (also outside a request, in the consumer)."""
    if has_request_context():
        return url_for("jobs.show", job_id=job.id)
    with current_app.test_request_context("/"):
        return url_for("jobs.show", job_id=job.id)


def file_name(session, kind, params):
    """Return the name a job's file is downloaded under (fixed, or given by the kind)."""
    return kind.filename(session, params) if callable(kind.filename) else kind.filename


def work_folder():
    folder = Path(current_app.instance_path) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run(session, job_id):
    """Build the file of a queued job; return True when this call ran it.

    The queued -> running UPDATE is conditional: a second consumer given the same job finds
    it no longer queued and returns False. The file is written to ``<name>.part`` and renamed
    only when complete, so a consumer killed mid-job never leaves a finished-looking file.
    """
    job = session.get(Job, job_id)
    if job is None or job.status != "queued":
        return False
    values = {"attempts": job.attempts + 1}
    if not job.rows_total:  # queued without counting (export_or_job): count here, not there
        values["rows_total"] = kind_of(job.kind).count(session, job.owner, job.params)

    def start():
        apply_transition(session, JOB, session.get(Job, job_id), "start", values=values)

    try:
        _writing(session, start)
    except DomainError:
        session.rollback()
        return False
    job = session.get(Job, job_id)
    suffix = Path(file_name(session, kind_of(job.kind), job.params)).suffix or ".xlsx"
    final = work_folder() / f"job-{job.id}-{secrets.token_hex(6)}{suffix}"
    partial = final.with_name(final.name + ".part")
    try:
        _build(session, job, final, partial)
    except Exception as error:  # noqa: BLE001 - any failure: the job says failed and why
        session.rollback()
        partial.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        _fail(session, job_id, error)
        return True
    return True


def _build(session, job, final, partial):
    kind = kind_of(job.kind)
    owner = job.owner
    key = queue.progress_key(job.id)
    last = [0.0]

    def progress(done, saved=None):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            queue.huey.put(key, {"rows": done, "saved": None if saved is None
                                 else min(100, int(saved * 100))})

    queue.huey.put(key, {"rows": 0, "saved": None})
    job_id, language = job.id, owner.language or "es"
    with force_locale(language):
        kind.build(session, owner, job.params, partial, progress)
        os.replace(partial, final)
        name = file_name(session, kind, job.params)
    # End the long read (keeping what the build itself wrote: a certificate issued, labels
    # printed) before storing the file: that write then gets a short transaction of its own.
    session.commit()

    def finish():
        job = session.get(Job, job_id)
        with force_locale(language):
            stored = store_path(session, final, original_name=name,
                                content_type=kind.content_type, uploaded_by=job.owner)
            now = utcnow()
            apply_transition(session, JOB, job, "finish", values={
                "finished_at": now, "file_id": stored.id, "file_name": name,
                "sha256": stored.sha256, "rows_done": job.rows_total,
                "expires_at": now + timedelta(days=current_app.config["JOB_FILE_DAYS"])})
            _tell(session, job, lambda: (_("Your file is ready: %(title)s", title=job.title),
                                         _("The file you asked for is ready to download.")))

    _writing(session, finish)
    final.unlink(missing_ok=True)
    _forget_progress(key)


# SQLite lets one connection write at a time; another that read first and then writes while
# a third has just written is refused at once ("database is locked"), busy timeout or not.
# The platform's own short writes (start, finish, fail) are then tried again.
_WRITE_ATTEMPTS = 6


def _writing(session, write):
    """Run ``write()`` and commit, returning its result; on SQLite's "database is locked",
    roll back and try again."""
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            result = write()
            session.commit()
            return result
        except OperationalError as error:
            session.rollback()
            if "locked" not in str(error.orig) or attempt == _WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.1 * 2 ** attempt)


def _reason(error):
    """Return why a job failed, in words a user can act on (never a database statement)."""
    if isinstance(error, OperationalError):
        return _("The database was too busy to prepare the file. Try again.")
    return str(error)[:1000] or type(error).__name__


def _fail(session, job_id, error):
    def fail():
        job = session.get(Job, job_id)
        session.refresh(job)
        if job.status != "running":
            return False
        with force_locale(job.owner.language or "es"):
            reason = _reason(error)
            apply_transition(session, JOB, job, "fail", values={"error": reason})
            _tell(session, job, lambda: (_("Your file could not be prepared: %(title)s",
                                           title=job.title), reason[:300]))
        return True

    if _writing(session, fail):
        _forget_progress(queue.progress_key(job_id))


def _tell(session, job, compose):
    from app.notify.services import tell

    tell(session, [job.owner], compose, job_link(job), email=False)


def _forget_progress(key):
    with suppress(Exception):  # nothing to clean when the store is gone
        queue.huey.get(key)  # without peek the read removes it


def expire_files(session, now=None):
    """Mark ready jobs past their expiry expired and remove their bytes; return how many."""
    now = now or utcnow()
    jobs = session.scalars(select(Job).where(Job.status == "ready", Job.expires_at < now)
                           .order_by(Job.id)).all()
    for job in jobs:
        apply_transition(session, JOB, job, "expire")
        if job.file is not None:
            get_storage().delete(object_key(job.file.storage_key))
    return len(jobs)


def fail_interrupted(session, now=None):
    """Fail jobs left running by a consumer that died (no progress for an hour)."""
    now = now or utcnow()
    stale = now - timedelta(minutes=current_app.config["JOB_STALE_MINUTES"])
    jobs = session.scalars(select(Job).where(Job.status == "running", Job.started_at < stale)
                           .order_by(Job.id)).all()
    for job in jobs:
        apply_transition(session, JOB, job, "fail", values={
            "error": _("The job was interrupted (the worker stopped). Retry it.")})
    # Asked for an hour ago and never started: its task was lost (a queue emptied, a consumer
    # that failed before starting it). Failed, it gets its Retry button back.
    lost = session.scalars(select(Job).where(Job.status == "queued", Job.created_at < stale)
                           .order_by(Job.id)).all()
    for job in lost:
        apply_transition(session, JOB, job, "fail", values={
            "error": _("The job never started (the queue lost it). Retry it.")})
    jobs = [*jobs, *lost]
    for partial in work_folder().glob("*.part"):
        if partial.stat().st_mtime < time.time() - 3600:
            partial.unlink(missing_ok=True)
    return len(jobs)


def sweep(session):
    """The periodic task body: expire old files, fail interrupted jobs, commit."""
    expired = expire_files(session)
    interrupted = fail_interrupted(session)
    session.commit()
    return expired, interrupted
