"""Background-job benchmark on the stock benchmark data set: a 200,000-row audit-log export.

Run with `make bench` (or `pytest tests/benchmarks/bench_jobs.py -s --benchmarks`), on SQLite
by default or on PostgreSQL with DATABASE_URL. It reuses the stock benchmark's kept database
(STOCK_BENCH_KITS / STOCK_BENCH_LINES / STOCK_BENCH_SITES build a smaller one) and tops its
audit trail up to JOBS_BENCH_ROWS entries. Printed: the time of the request that starts the
export, the longest gap between progress reports, the job's time against the same export
written synchronously, the consumer's peak memory, and the depot stock page's median while the
job runs against its idle median (same run).
"""

import hashlib
import os
import statistics
import time
from datetime import UTC, datetime

import pytest
from huey.storage import SqliteStorage
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from app.extensions import db
from tests.benchmarks.timing import peak_memory_kb, start_consumer
from tests.dbsetup import kept_database, make_test_app

pytestmark = pytest.mark.benchmark

KITS = int(os.environ.get("STOCK_BENCH_KITS", 200_000))
LINES = int(os.environ.get("STOCK_BENCH_LINES", 1_000_000))
SITES = int(os.environ.get("STOCK_BENCH_SITES", 200))
ROWS = int(os.environ.get("JOBS_BENCH_ROWS", 200_000))


def _top_up_audit(session, rows):
    """Add synthetic audit entries (kit updates) until the trail has `rows` entries."""
    from app.audit.models import AuditEntry
    from app.stock.demo.large import catch_up_sequences, copy_rows

    def write(rows):
        if session.get_bind().dialect.name == "postgresql":
            copy_rows(session, AuditEntry.__table__, rows)  # executemany takes minutes there
        else:
            session.execute(insert(AuditEntry), rows)

    have = session.scalar(select(func.count()).select_from(AuditEntry))
    start = (session.scalar(select(func.max(AuditEntry.id))) or 0) + 1
    now = datetime.now(UTC)
    batch = []
    for n in range(start, start + max(0, rows - have)):
        digest = hashlib.sha256(f"bench-{n}".encode()).hexdigest()
        batch.append(dict(id=n, occurred_at=now, user_id=None, user_name="benchmark",
                          entity_type="kit", entity_id=str(n % 5000 + 1),
                          entity_label=f"Kit {n % 5000 + 1:07d}", action="update",
                          changes='{"status": ["available", "quarantined"]}',
                          reason=None, prev_hash="0" * 64, hash=digest))
        if len(batch) == 10_000:
            write(batch)
            batch = []
    if batch:
        write(batch)
    catch_up_sequences(session, AuditEntry)
    session.commit()
    return max(0, rows - have)


@pytest.fixture(scope="module")
def bench():
    from app.audit.services import set_actor
    from app.auth.models import User
    from app.stock.demo.large import PROTOCOL, build_large_data_set
    from app.trials.models import Trial
    from tests.factories import make_user

    app = make_test_app(kept_database(f"bench_stock_{KITS}"), migrate=True)
    with app.app_context():
        if not db.session.scalar(select(Trial.id).where(Trial.protocol_code == PROTOCOL)):
            set_actor(db.session, None, "benchmark")
            build_large_data_set(db.session, sites=SITES, kits=KITS, lines=LINES, echo=print)
            db.session.commit()
        added = _top_up_audit(db.session, ROWS)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        user = db.session.scalar(select(User).where(User.email == "bench@stock.example"))
        if user is None:
            user = make_user(db.session, roles=("logistics",), email="bench@stock.example")
            db.session.commit()
        user_id = user.get_id()
        db.session.remove()
    print(f"\n[jobs bench] audit entries added: {added:,}")
    yield app, user_id


def _timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, url
    return (time.perf_counter() - started) * 1000



def test_a_200000_row_audit_export_as_a_job(bench, monkeypatch, tmp_path):
    from app.audit.exports import build_log, count_log
    from app.audit.models import AuditEntry
    from app.auth.models import User
    from app.jobs.models import Job
    from app.jobs.queue import huey, progress_key

    app, user_id = bench
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    # The synchronous export of the same rows, written the same way (no job around it).
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == "bench@stock.example"))
        params = {"upto": db.session.scalar(select(func.max(AuditEntry.id)))}
        total = count_log(db.session, user, params)
        started = time.perf_counter()
        build_log(db.session, user, params, tmp_path / "sync.xlsx",
                  lambda done, saved=None: None)
        sync_s = time.perf_counter() - started
        db.session.remove()
    idle = [_timed_get(client, "/stock/depot") for _ in range(8)][1:]

    queue_file = tmp_path / "queue.db"
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", SqliteStorage("ensayo", filename=str(queue_file)))
    started = time.perf_counter()
    response = client.post("/audit/export.xlsx")
    start_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])

    consumer = start_consumer(url, queue_file)
    reports, busy, peak_kb = [], [], 0
    last_value = None
    status = "queued"
    try:
        with app.app_context():
            bench_engine = db.engine
        deadline = time.monotonic() + 3600
        while status in ("queued", "running") and time.monotonic() < deadline:
            value = huey.get(progress_key(job_id), peek=True)
            if value is not None and value != last_value:
                reports.append((time.monotonic(), value))
                last_value = value
            if status == "running":
                busy.append(_timed_get(client, "/stock/depot"))
            peak_kb = max(peak_kb, peak_memory_kb(consumer.pid))
            time.sleep(0.2)
            with Session(bench_engine) as session:
                status = session.get(Job, job_id).status
        peak_kb = max(peak_kb, peak_memory_kb(consumer.pid))
    finally:
        consumer.terminate()
        consumer.wait(timeout=60)
    with Session(bench_engine) as session:
        job = session.get(Job, job_id)
        job_s = (job.finished_at - job.started_at).total_seconds()
        assert (job.status, job.rows_total) == ("ready", total), job.error
    gaps = [b[0] - a[0] for a, b in zip(reports, reports[1:], strict=False)]
    idle_ms, busy_ms = statistics.median(idle), statistics.median(busy or [0])
    name = url.split(":")[0]
    print(f"\n[jobs bench] {name}: audit-log export of {total:,} rows")
    print(f"[jobs bench]   request that starts it: {start_ms:.0f} ms (goal < 200)")
    print(f"[jobs bench]   progress reports: {len(reports)}, longest gap "
          f"{max(gaps, default=0):.2f} s (goal <= 2)")
    print(f"[jobs bench]   job {job_s:.1f} s vs synchronous {sync_s:.1f} s: "
          f"{job_s / sync_s:.2f}x (goal <= 1.2)")
    print(f"[jobs bench]   consumer peak memory (VmHWM): {peak_kb / 1024:.0f} MB (goal < 150)")
    print(f"[jobs bench]   depot stock page: idle median {idle_ms:.1f} ms, during the job "
          f"{busy_ms:.1f} ms over {len(busy)} loads: {busy_ms / idle_ms:.2f}x (goal <= 1.5)",
          flush=True)
