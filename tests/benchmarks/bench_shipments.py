"""Shipment benchmark: logger analysis of 100,000 readings and the board with 20,000 shipments.

Run with `make bench` (or `pytest tests/benchmarks/bench_shipments.py -s --benchmarks`), on
SQLite by default or on PostgreSQL with DATABASE_URL. The 20,000 shipments are inserted once
into their own database and reused by later runs.
"""

import io
import math
import random
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select

from app.extensions import db
from tests.benchmarks.timing import client_of, ready_for_reading, server_ms
from tests.dbsetup import fresh_database, kept_database, make_test_app

pytestmark = pytest.mark.benchmark

SHIPMENTS = 20_000
READINGS = 100_000
PROTOCOL = "BENCH-SHIP"


def logger_bytes(n=READINGS):
    """Return a one-minute logger export of n readings with a few excursions."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = ["timestamp,temperature"]
    for i in range(n):
        rows.append(f"{(start + timedelta(minutes=i)).isoformat()},"
                    f"{5 + 3.4 * math.sin(i / 700):.2f}")
    return ("\n".join(rows) + "\n").encode()


def _build(session):
    """Insert 20,000 shipments in every state on 50 site routes from one depot."""
    from app.shipments.models import Shipment
    from app.stock.api import create_depot, site_location
    from tests import factories

    trial = factories.make_trial(session, protocol_code=PROTOCOL)
    depot = create_depot(session, "DEP-BENCH", "Benchmark depot")
    sites = [site_location(session, factories.make_site(session, trial)) for _ in range(50)]
    rng = random.Random(4)
    statuses = ["draft", "ordered", "picked", "packed", "shipped", "delivered", "received",
                "closed", "closed", "closed", "cancelled"]
    now = datetime.now(UTC)
    rows = []
    for i in range(1, SHIPMENTS + 1):
        status = rng.choice(statuses)
        created = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
        left = status in ("shipped", "delivered", "received", "closed")
        dispatched = created + timedelta(days=1) if left else None
        rows.append({
            "number": f"SHP-2025-{i:06d}", "kind": "resupply", "status": status,
            "trial_id": trial.id, "origin_id": depot.id,
            "destination_id": rng.choice(sites).id, "requested_kits": rng.randint(1, 20),
            "expected_arrival": (created + timedelta(days=3)).date(), "courier": "Courier",
            "tracking_number": f"TRK{i:09d}" if left else None,
            "dispatched_at": dispatched, "received_at": dispatched + timedelta(days=2)
            if status in ("received", "closed") else None,
            "minutes_out": rng.choice([0.0] * 9 + [35.0]),
            "qa_pending": status == "received" and rng.random() < 0.1,
            "open_discrepancies": 1 if status == "received" and rng.random() < 0.1 else 0,
            "created_at": created, "updated_at": created})
    for start in range(0, len(rows), 5000):
        session.execute(insert(Shipment), rows[start:start + 5000])


@pytest.fixture(scope="module")
def bench():
    from app.audit.services import set_actor
    from app.trials.api import Trial

    app = make_test_app(kept_database("bench_shipments"), migrate=True)
    with app.app_context():
        if not db.session.scalar(select(Trial.id).where(Trial.protocol_code == PROTOCOL)):
            started = time.perf_counter()
            set_actor(db.session, None, "benchmark")
            with app.test_request_context():
                _build(db.session)
            db.session.commit()
            print(f"\n[shipments bench] {SHIPMENTS} shipments built in "
                  f"{time.perf_counter() - started:.1f} s")
        user_id = ready_for_reading(db.session, "bench@ship.example")
        db.session.remove()
    yield app, user_id


def test_excursion_analysis_of_100000_readings(app):
    from app.coldchain.excursions import analyse, downsample
    from app.coldchain.logger import parse_logger_csv

    data = logger_bytes()
    with app.test_request_context():
        started = time.perf_counter()
        parsed = parse_logger_csv(data)
        parse_s = time.perf_counter() - started
    started = time.perf_counter()
    report = analyse(parsed.times, parsed.temperatures, 2, 8)
    analyse_s = time.perf_counter() - started
    started = time.perf_counter()
    downsample(parsed.times, parsed.temperatures)
    chart_s = time.perf_counter() - started
    print(f"\n[shipments bench] logger file {len(data) / 1e6:.1f} MB, {parsed.count:,} readings: "
          f"parse {parse_s:.3f} s, excursion analysis {analyse_s:.3f} s "
          f"({len(report.excursions)} excursions, {report.minutes_out:.0f} min out), "
          f"chart thinning {chart_s:.3f} s (target analysis < 2 s)")
    # The sine swings 1.6 to 8.4 °C with a period of about 3 days: 46 trips outside 2-8 °C.
    assert parsed.count == READINGS and len(report.excursions) == 46


def test_upload_of_100000_readings_end_to_end():
    """Parse, analyse and store a 100,000-reading file against a real dispatched shipment."""
    from app.shipments.services.logger import attach_logger_file
    from tests.shipments.factories import make_dispatched, make_world

    app = make_test_app(fresh_database("bench_upload"), migrate=True)
    with app.app_context(), app.test_request_context():
        world = make_world(db.session, kits=3)
        shipment = make_dispatched(db.session, world, requested=3, logger_ids="LG")
        data = logger_bytes()
        started = time.perf_counter()
        upload, report = attach_logger_file(db.session, shipment, data, filename="big.csv",
                                            serial="LG", by=world.logistics)
        db.session.commit()
        total = time.perf_counter() - started
        print(f"\n[shipments bench] {db.engine.dialect.name}: upload of {upload.reading_count:,}"
              f" readings (parse + analyse + store + commit) {total:.2f} s")
        db.session.remove()


def test_board_with_20000_shipments(bench):
    from app.shipments.models import Shipment

    app, user_id = bench
    client = client_of(app, user_id)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Shipment))
        dialect = db.engine.dialect.name
        db.session.remove()
    figures = {
        "board (newest first)": server_ms(client, "/shipments/", runs=9),
        "board, overdue filter": server_ms(client, "/shipments/?problem=overdue", runs=9),
        "board, open excursions": server_ms(client, "/shipments/?problem=excursion", runs=9),
        "board, status shipped, by dispatch": server_ms(
            client, "/shipments/?status=shipped&sort=-dispatched", runs=9),
        "board, search by number": server_ms(client, "/shipments/?q=SHP-2025-0123", runs=9),
        "board, last page": server_ms(client, "/shipments/?page=800", runs=9),
    }
    print(f"\n[shipments bench] {dialect}, {count:,} shipments, server time (median of 9):")
    for name, ms in figures.items():
        print(f"  {name:40s} {ms:7.1f} ms  (target < 150 ms)")

    started = time.perf_counter()
    response = client.get("/shipments/export.xlsx")
    export_s = time.perf_counter() - started
    assert response.status_code == 200
    tracemalloc.start()  # a second run: tracing slows Python, so it is not timed
    client.get("/shipments/export.xlsx")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for i in range(count):
        sheet.append([f"SHP-{i}", "k", "s", "t", "o", "d", 1, None, None, None, None, "c",
                      "trk", "No", 0.0, "No", 0])
    book.save(io.BytesIO())
    bare_s = time.perf_counter() - started
    print(f"  Excel export of {count:,} shipments: {export_s:.2f} s (bare openpyxl loop "
          f"{bare_s:.2f} s), peak Python memory {peak / 1e6:.0f} MB")
