"""Label benchmark: a 10,000-kit label run as a background job, and one label's render time.

Run with `make bench` (or `pytest tests/benchmarks/bench_labelling.py -s --benchmarks`), on
SQLite by default or on PostgreSQL with DATABASE_URL. The data set (a trial, an imported lot
certified and released for Spain with LABEL_BENCH_KITS kits, an approved outer template) is
built once in a kept database. Printed: one label's render time (median, with its DataMatrix),
a one-label PDF's time, and the run's job time and the consumer's peak memory.
"""

import io
import os
import statistics
import time
from datetime import date, timedelta

import pytest
from huey.storage import SqliteStorage
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.extensions import db
from tests.benchmarks.timing import cpu_seconds, peak_memory_kb, start_consumer
from tests.dbsetup import kept_database, make_test_app

pytestmark = pytest.mark.benchmark

KITS = int(os.environ.get("LABEL_BENCH_KITS", 10_000))
PROTOCOL = "LBL-BENCH-01"


def _build(session):
    from app.labelling.services.release import certify_lot, create_import, release_for_country
    from app.labelling.services.templates import approve_template, save_template
    from app.stock.api import receive_new_kits
    from tests import factories
    from tests.labelling.factories import OUTER_ES, PASSWORD
    from tests.stock.factories import make_depot, make_lot, make_product

    trial = factories.make_trial(session, protocol_code=PROTOCOL, countries="ES,PT",
                                 blinded=True)
    qp = factories.make_user(session, roles=("qp",), email="qp@label.example")
    factories.make_user(session, roles=("logistics",), email="bench@label.example")
    product = make_product(session, gtin="08412345678905")
    lot = make_lot(session, product, trial, status="quarantine", number="LBL-LOT-01",
                   expires_on=clock.today() + timedelta(days=700))
    depot = make_depot(session)
    create_import(session, trial, {
        "reference": "IMP-BENCH", "origin_country": "US", "supplier": "Acme",
        "manufacturer": "Acme", "received_on": clock.today() - timedelta(days=3),
        "customs_document": "26ES0001", "customs_cleared_on": clock.today()}, [lot])
    receive_new_kits(session, trial, depot, [(f"B{n:07d}", lot, None) for n in range(KITS)])
    certify_lot(session, lot, signer=qp, password=PASSWORD)
    release_for_country(session, lot, {"country": "ES", "authorised_by": "RA",
                                       "reference": "R", "released_on": clock.today()}, by=qp)
    template = save_template(session, trial, dict(OUTER_ES))
    approve_template(session, template, signer=qp, password=PASSWORD)


@pytest.fixture(scope="module")
def bench():
    from app.audit.services import set_actor
    from app.trials.api import Trial

    app = make_test_app(kept_database(f"bench_labelling_{KITS}"), migrate=True)
    with app.app_context():
        if not db.session.scalar(select(Trial.id).where(Trial.protocol_code == PROTOCOL)):
            set_actor(db.session, None, "benchmark")
            _build(db.session)
            db.session.commit()
        db.session.remove()
    return app



def test_one_label_renders_in_under_20_ms(bench):
    from app.labelling.models import LabelTemplate
    from app.labelling.services.render import LabelDrawer, write_pdf
    from app.labelling.services.runs import label_of

    with bench.test_request_context():
        template = db.session.scalar(select(LabelTemplate))
        drawer = LabelDrawer(template)
        canvas = Canvas(io.BytesIO(), pagesize=(drawer.width, drawer.height))
        times = []
        for n in range(300):
            row = (n, f"K{n:07d}", date(2028, 5, 31), "LBL-LOT-01", "08412345678905")
            lines, code = label_of(template, PROTOCOL, row)
            started = time.perf_counter()
            drawer.draw(canvas, 0, 0, lines, code)
            canvas.showPage()
            times.append((time.perf_counter() - started) * 1000)
        single = []
        for n in range(20):
            row = (n, f"S{n:07d}", date(2028, 5, 31), "LBL-LOT-01", "08412345678905")
            started = time.perf_counter()
            write_pdf(io.BytesIO(), template, [label_of(template, PROTOCOL, row)])
            single.append((time.perf_counter() - started) * 1000)
        name = db.engine.dialect.name
    print(f"\n[label bench] {name}: one label drawn (text, DataMatrix, HRI) median "
          f"{statistics.median(times):.2f} ms, p95 {sorted(times)[284]:.2f} ms (goal < 20)")
    print(f"[label bench]   a one-label PDF from scratch: median {statistics.median(single):.1f}"
          f" ms", flush=True)


def test_a_10000_kit_label_run_as_a_job(bench, monkeypatch, tmp_path):
    from app.auth.models import User
    from app.jobs.models import Job
    from app.jobs.queue import huey
    from app.jobs.services import enqueue, start_job
    from app.labelling.models import LabelRun, LabelTemplate
    from app.labelling.services.runs import request_run
    from app.stock.api import Lot
    from app.trials.api import Trial

    queue_file = tmp_path / "queue.db"
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", SqliteStorage("ensayo", filename=str(queue_file)))
    url = bench.config["SQLALCHEMY_DATABASE_URI"]
    with bench.test_request_context():
        user = db.session.scalar(select(User).where(User.email == "bench@label.example"))
        trial = db.session.scalar(select(Trial).where(Trial.protocol_code == PROTOCOL))
        run = request_run(db.session, trial, {
            "template_id": db.session.scalar(select(LabelTemplate.id)), "scope": "lot",
            "lot_id": db.session.scalar(select(Lot.id).where(Lot.number == "LBL-LOT-01")),
            "layout": "roll"}, user)
        job = start_job(db.session, user, "label_run", {"run_id": run.id}, run.kit_count)
        run.job_id = job.id
        db.session.commit()
        enqueue(db.session, job)
        job_id, run_id, engine = job.id, run.id, db.engine
        db.session.remove()
    consumer = start_consumer(url, queue_file)
    peak_kb, status, idle_cpu = 0, "queued", None
    try:
        deadline = time.monotonic() + 1800
        while status in ("queued", "running") and time.monotonic() < deadline:
            peak_kb = max(peak_kb, peak_memory_kb(consumer.pid))
            time.sleep(0.2)
            with Session(engine) as session:
                status = session.get(Job, job_id).status
            if status == "queued":  # the consumer's start-up is not the run's
                idle_cpu = cpu_seconds(consumer.pid)
        peak_kb = max(peak_kb, peak_memory_kb(consumer.pid))
        run_cpu = cpu_seconds(consumer.pid) - (idle_cpu or 0)
    finally:
        consumer.terminate()
        consumer.wait(timeout=60)
    with Session(engine) as session:
        job = session.get(Job, job_id)
        run = session.get(LabelRun, run_id)
        assert (job.status, run.printed) == ("ready", KITS), job.error
        job_s = (job.finished_at - job.started_at).total_seconds()
        size_mb = job.file.size / 1024 / 1024
    name = url.split(":")[0]
    print(f"\n[label bench] {name}: label run of {KITS:,} outer labels (roll PDF, "
          f"{size_mb:.1f} MB) as a job: {job_s:.1f} s (goal < 60)")
    print(f"[label bench]   consumer processor time for the run (with qpdf): {run_cpu:.1f} s "
          f"(the job's time were no other process sharing the cores)")
    print(f"[label bench]   consumer peak memory (VmHWM): {peak_kb / 1024:.0f} MB (goal < 200)",
          flush=True)
