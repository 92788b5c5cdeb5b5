"""Destruction benchmark: a batch of 20,000 kits executed, then its certificate built as a job.

Run with `make bench` (or `pytest tests/benchmarks/bench_destruction.py -s --benchmarks`), on
SQLite by default or on PostgreSQL with DATABASE_URL. DESTRUCTION_BENCH_KITS sets the size.
Printed: the set-up time (not measured), the execution time of the batch (signature, every kit
to "destroyed" through the ledger, commit) and the certificate job's time and peak memory
(Python allocations, tracemalloc; and the process's peak RSS) with the PDF's size and page
count. Wall and CPU seconds are both printed: on a shared machine the wall time follows the
load average, printed too.
"""

import os
import resource
import subprocess
import time
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from tests.dbsetup import english, fresh_database, make_test_app

pytestmark = pytest.mark.benchmark

KITS = int(os.environ.get("DESTRUCTION_BENCH_KITS", 20_000))
PROFILE = os.environ.get("DESTRUCTION_BENCH_PROFILE")  # a path prefix: cProfile dumps


def _profiled(name, call):
    """Run call(), under cProfile when DESTRUCTION_BENCH_PROFILE names a path prefix."""
    if not PROFILE:
        return call()
    import cProfile

    profile = cProfile.Profile()
    try:
        return profile.runcall(call)
    finally:
        profile.dump_stats(f"{PROFILE}-{name}.prof")


def _set_up(session):
    """Return a witnessed batch of KITS kits pending destruction, every check satisfied."""
    from app.audit.services import set_actor
    from app.destruction.services import reconciliation
    from app.stock.services.catalog import site_location
    from app.stock.services.kits import receive_new_kits
    from app.stock.services.ledger import move_kits_in_bulk
    from tests import factories
    from tests.destruction.factories import make_authorisation, make_batch, make_world
    from tests.factories import PASSWORD

    set_actor(session, None, "benchmark")
    world = make_world(session, kits=3)
    rows = [(f"B{i:07d}", world.lot, None) for i in range(1, KITS + 1)]
    kits = receive_new_kits(session, world.trial, world.depot, rows)
    move_kits_in_bulk(session, kits, "in_transit", "transfer_out",
                      to_location=site_location(session, world.site))
    move_kits_in_bulk(session, kits, "received", "transfer_in")
    move_kits_in_bulk(session, kits, "pending_destruction", "adjustment", reason="set aside")
    session.commit()
    today = clock.today()
    rec = reconciliation.draw_up(session, world.site, today - timedelta(days=1), today,
                                 by=world.logistics)
    for difference in reconciliation.unexplained(rec):
        reconciliation.explain(session, rec, difference["key"], "explained", by=world.site_user)
    reconciliation.close(session, rec, by=world.logistics)
    reconciliation.verify(session, rec, signer=world.monitor, password=PASSWORD)
    batch = make_batch(session, world, make_authorisation(session, world))
    from app.destruction.services.batches import witness

    witness(session, batch, signer=world.qp, password=PASSWORD)
    session.commit()
    del factories
    return batch.id, world.logistics.id


def test_destruction_batch_and_certificate(tmp_path):
    from app.auth.models import User
    from app.destruction.models import DestructionBatch
    from app.destruction.services.batches import execute
    from app.jobs.models import Job
    from app.jobs.services import run
    from app.stock.models import StockEntry
    from tests.factories import PASSWORD

    app = make_test_app(fresh_database("bench_destruction"), migrate=True)
    with app.app_context(), app.test_request_context(), english(app):
        started = time.perf_counter()
        batch_id, user_id = _set_up(db.session)
        setup = time.perf_counter() - started
        db.session.remove()
        batch = db.session.get(DestructionBatch, batch_id)
        user = db.session.get(User, user_id)
        items = batch.item_count
        started, cpu = time.perf_counter(), time.process_time()
        _profiled("execute", lambda: (execute(db.session, batch, signer=user,
                                              password=PASSWORD), db.session.commit()))
        executed, executed_cpu = time.perf_counter() - started, time.process_time() - cpu
        destroyed = db.session.scalar(select(func.count()).select_from(StockEntry).where(
            StockEntry.event == "destruction", StockEntry.document_ref == batch.number))
        job = Job(owner_id=user_id, kind="destruction_certificate", title="certificate",
                  params={"batch_id": batch_id}, status="queued", rows_total=items)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        db.session.remove()
        tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        _profiled("certificate", lambda: run(db.session, job_id))
        built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        job = db.session.get(Job, job_id)
        batch = db.session.get(DestructionBatch, batch_id)
        assert job.status == "ready", job.error
        from app.files.services import read_bytes

        pdf = tmp_path / "certificate.pdf"
        pdf.write_bytes(read_bytes(batch.certificate))
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in info.splitlines()
                      if line.startswith("Pages:")), "?")
        engine = db.engine.dialect.name
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n[destruction bench] {engine}: set-up {setup:.1f} s (not measured); "
              f"batch of {items} kits executed in {executed:.2f} s (CPU {executed_cpu:.2f} s; "
              f"{destroyed} ledger lines); certificate job {built:.2f} s (CPU {built_cpu:.2f} s),"
              f" peak Python memory {peak:.0f} MB, peak RSS {rss:.0f} MB, "
              f"{pdf.stat().st_size / 1024:.0f} KB, {pages} pages; load average {load}")
        assert destroyed == items == KITS
        db.session.remove()
