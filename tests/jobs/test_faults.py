"""Faults: a failed job retried, a consumer killed mid-job, two consumers on one job, Redis
down."""

import threading
from datetime import timedelta

import pytest
from huey.storage import RedisStorage
from redis import ConnectionPool
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.domains import REGISTRY, JobKind
from app.core.models import utcnow
from app.extensions import db as _db
from app.files.models import StoredFile
from app.jobs import services
from app.jobs.models import Job
from app.jobs.queue import huey
from app.notify.models import Notice
from tests import factories

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_trials(make, db, n=3):
    for _ in range(n):
        make.trial()
    db.session.commit()


def replace_build(monkeypatch, build):
    kind = REGISTRY.job_kinds["audit_log"]
    monkeypatch.setitem(REGISTRY.job_kinds, "audit_log", JobKind(
        kind.name, kind.label, kind.permission, kind.count, build, kind.filename))
    return kind


def test_a_failed_job_shows_its_reason_and_a_retry_makes_the_file(
        client, db, login_as, make, threshold, monkeypatch):
    user = login_as("logistics")
    add_trials(make, db)

    def broken(session, user, params, path, progress):
        path.write_bytes(b"PK half")
        raise RuntimeError("disk full")

    kind = replace_build(monkeypatch, broken)
    before = set(services.work_folder().iterdir())
    client.post("/audit/export.xlsx")
    job = db.session.scalars(select(Job)).one()
    db.session.refresh(job)
    assert (job.status, job.error, job.file_id, job.attempts) == ("failed", "disk full", None, 1)
    assert set(services.work_folder().iterdir()) == before  # the partial file removed
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Failed" in page
    assert "The file could not be prepared. Reason: disk full" in page
    assert f'action="/jobs/{job.id}/retry"' in page
    assert db.session.scalars(select(Notice.message).where(Notice.user_id == user.id)).all() \
        == ["Your file could not be prepared: Audit trail (Excel)"]
    replace_build(monkeypatch, kind.build)
    response = client.post(f"/jobs/{job.id}/retry")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jobs/{job.id}"
    db.session.refresh(job)
    assert (job.status, job.error, job.attempts) == ("ready", None, 2)
    assert client.get(f"/jobs/{job.id}/download").mimetype == XLSX


def test_a_consumer_killed_mid_job_leaves_only_a_temporary_file_never_ready(
        client, db, login_as, make, threshold, monkeypatch):
    login_as("logistics")
    add_trials(make, db)
    seen = []

    def killed(session, user, params, path, progress):
        seen.append(path)
        path.write_bytes(b"PK\x03\x04 half a workbook")
        raise SystemExit(-9)  # the process dies here: no except clause of ours runs

    replace_build(monkeypatch, killed)
    before = set(services.work_folder().iterdir())
    with pytest.raises(SystemExit):
        client.post("/audit/export.xlsx")
    db.session.rollback()
    job = db.session.scalars(select(Job)).one()
    assert seen[0].name.endswith(".xlsx.part")
    assert seen[0].exists()
    assert (job.status, job.file_id, job.sha256) == ("running", None, None)
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert set(services.work_folder().iterdir()) - before == {seen[0]}  # only the .part
    assert client.get(f"/jobs/{job.id}/download", follow_redirects=True).mimetype \
        == "text/html"
    # The hourly sweep fails it after JOB_STALE_MINUTES, so its owner can retry.
    assert services.fail_interrupted(db.session, now=utcnow() + timedelta(minutes=30)) == 0
    assert services.fail_interrupted(db.session, now=utcnow() + timedelta(minutes=61)) == 1
    db.session.commit()
    assert job.status == "failed"
    assert job.error == "The job was interrupted (the worker stopped). Retry it."
    seen[0].unlink()


def queued_job_of_kind(race_app, race_engine, monkeypatch, name, build, language="es"):
    """Declare a job kind with this build (the audit log's permission) and queue one job of
    it on the race database; return the job's id."""
    kind = REGISTRY.job_kinds["audit_log"]
    monkeypatch.setitem(REGISTRY.job_kinds, name, JobKind(
        name, name.title(), kind.permission, lambda *a: 1, build, f"{name}.xlsx"))
    with race_app.app_context(), Session(race_engine) as session:
        user = factories.make_user(session, roles=("logistics",), language=language)
        job = Job(owner_id=user.id, kind=name, title=name.title(), params={}, rows_total=1)
        session.add(job)
        session.commit()
        return job.id


def test_two_consumers_given_the_same_job_run_it_once(race_app, race_engine, monkeypatch):
    builds = []

    def build(session, user, params, path, progress):
        builds.append(threading.get_ident())
        threading.Event().wait(0.3)
        path.write_bytes(b"PK\x03\x04 made once")

    job_id = queued_job_of_kind(race_app, race_engine, monkeypatch, "race_kind", build)
    results = []
    barrier = threading.Barrier(2)

    def consumer():
        with race_app.app_context():
            barrier.wait()
            results.append(services.run(_db.session, job_id))
            _db.session.remove()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert len(builds) == 1
    with race_app.app_context(), Session(race_engine) as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts) == ("ready", 1)
        assert session.scalar(select(func.count()).select_from(StoredFile)) == 1


@pytest.fixture
def redis_down(monkeypatch):
    """A REDIS_URL whose server is not running (nothing listens on port 1)."""
    monkeypatch.setattr(huey, "_immediate", False)
    pool = ConnectionPool.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    monkeypatch.setattr(huey, "storage", RedisStorage("ensayo", connection_pool=pool))


def test_with_redis_down_large_exports_are_refused_and_small_ones_still_work(
        app, client, db, login_as, make, redis_down):
    login_as("logistics")
    add_trials(make, db)
    app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 1000
    try:
        small = client.get("/audit/export.xlsx")
        assert (small.status_code, small.mimetype) == (200, XLSX)
        app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 3
        assert client.get("/audit/export.xlsx").status_code == 200  # the prepare page
        response = client.post("/audit/export.xlsx", follow_redirects=True)
    finally:
        app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 5000
    assert response.status_code == 200
    assert ("Large files cannot be prepared right now: the background queue is not "
            "reachable. Narrow the filters to at most 3 rows to download at once, or try "
            "again later.") in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_write_elsewhere_during_a_long_export_does_not_fail_the_job(
        race_app, race_engine, monkeypatch):
    """SQLite refuses at once a transaction that read, then writes after another connection
    wrote: the job ends its long read before storing the file, and says a busy database in
    words, never as a statement."""
    from app.auth.models import User

    def build(session, user, params, path, progress):
        session.scalar(select(func.count()).select_from(User))  # the export reads...
        with Session(race_engine) as other:  # ... while someone signs, dispenses, ...
            factories.make_user(other, roles=("site",))
            other.commit()
        path.write_bytes(b"PK\x03\x04 the export")

    job_id = queued_job_of_kind(race_app, race_engine, monkeypatch, "busy_kind", build)
    with race_app.app_context():
        assert services.run(_db.session, job_id) is True
        _db.session.remove()
    with Session(race_engine) as session:
        job = session.get(Job, job_id)
        assert (job.status, job.error) == ("ready", None)


def test_a_busy_database_is_said_in_words(race_app, race_engine, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def build(session, user, params, path, progress):
        raise OperationalError("INSERT INTO stored_files VALUES (?)", {}, Exception("locked"))

    job_id = queued_job_of_kind(race_app, race_engine, monkeypatch, "locked_kind", build,
                                language="en")
    with race_app.app_context():
        services.run(_db.session, job_id)
        _db.session.remove()
    with Session(race_engine) as session:
        job = session.get(Job, job_id)
        assert job.status == "failed"
        assert job.error == "The database was too busy to prepare the file. Try again."


def test_a_job_the_queue_lost_is_failed_by_the_sweep_and_can_be_retried(
        client, db, login_as, monkeypatch):
    user = login_as("admin")
    job = Job(owner_id=user.id, kind="audit_log", title="Audit trail (Excel)", params={},
              rows_total=0)
    db.session.add(job)
    db.session.commit()  # queued, but its task never reached a consumer
    assert client.post(f"/jobs/{job.id}/retry", follow_redirects=True).status_code == 200
    assert job.status == "queued"  # a waiting job cannot be retried...
    assert services.fail_interrupted(db.session, now=utcnow() + timedelta(minutes=30)) == 0
    assert services.fail_interrupted(db.session, now=utcnow() + timedelta(minutes=61)) == 1
    db.session.commit()
    assert (job.status, job.error) == ("failed",
                                       "The job never started (the queue lost it). Retry it.")
    client.post(f"/jobs/{job.id}/retry")  # ... a failed one can: it runs (inline here)
    db.session.refresh(job)
    assert job.status == "ready", job.error
