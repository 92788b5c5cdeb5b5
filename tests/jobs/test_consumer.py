"""A real consumer process (huey_consumer) runs an export job from the queue: the SQLite file
by default, the Redis server when REDIS_URL is set (.ci/run's second pass)."""

import io
import os
import subprocess
import sys
import time

from huey.storage import SqliteStorage
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.extensions import db as _db
from app.files.services import read_bytes
from app.jobs import services
from app.jobs.models import Job
from app.jobs.queue import huey, make_huey, progress_key
from tests import factories
from tests.dbsetup import ROOT


def test_a_consumer_process_builds_the_file_of_a_queued_job(race_app, race_engine, tmp_path,
                                                             monkeypatch):
    queue_file = tmp_path / "queue.db"
    monkeypatch.setattr(huey, "_immediate", False)
    if os.environ.get("REDIS_URL"):
        storage = make_huey().storage  # the Redis of the test run
        storage.flush_all()
    else:
        storage = SqliteStorage("ensayo", filename=str(queue_file))
    monkeypatch.setattr(huey, "storage", storage)
    with race_app.app_context(), Session(race_engine) as session:
        user = factories.make_user(session, roles=("logistics",))
        for _ in range(3):
            factories.make_trial(session)
        session.commit()
        upto = session.scalar(select(func.max(AuditEntry.id)))
        job = Job(owner_id=user.id, kind="audit_log", title="Audit trail (Excel)",
                  params={"upto": upto}, rows_total=upto)
        session.add(job)
        session.commit()
        job_id = job.id
    with race_app.app_context():
        services.enqueue(_db.session, _db.session.get(Job, job_id))
        _db.session.remove()
    assert huey.storage.queue_size() == 1
    url = race_app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "APP_CONFIG": "testing", "DATABASE_URL": url,
           "TEST_DATABASE_URL": url, "JOBS_QUEUE_FILE": str(queue_file),
           "UPLOAD_FOLDER": race_app.config["UPLOAD_FOLDER"], "PYTHONPATH": str(ROOT),
           "ARGON2_PROFILE": "test"}
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.queue.huey", "-w", "1",
         "-k", "thread", "-C"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        status = "queued"
        while time.monotonic() < deadline and status in ("queued", "running"):
            time.sleep(0.3)
            with Session(race_engine) as session:
                status = session.get(Job, job_id).status
    finally:
        consumer.terminate()
        _, errors = consumer.communicate(timeout=30)
    assert status == "ready", errors.decode()[-2000:]
    with race_app.app_context(), Session(race_engine) as session:
        job = session.get(Job, job_id)
        assert (job.attempts, job.rows_done, job.file_name) == (1, upto, "audit-trail.xlsx")
        data = read_bytes(job.file)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)\
            .to_python()
        assert len(rows) == upto + 1
        assert rows[0][0] == "Entry"
    assert huey.storage.queue_size() == 0


def test_progress_goes_through_the_queues_store_and_peeking_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setattr(huey, "_immediate", False)
    if os.environ.get("REDIS_URL"):
        storage = make_huey().storage
    else:
        storage = SqliteStorage("ensayo", filename=str(tmp_path / "queue.db"))
    monkeypatch.setattr(huey, "storage", storage)
    huey.put(progress_key(999999), 1200)
    assert huey.get(progress_key(999999), peek=True) == 1200
    assert huey.get(progress_key(999999), peek=True) == 1200
    assert huey.get(progress_key(999999)) == 1200
    assert huey.get(progress_key(999999), peek=True) is None
