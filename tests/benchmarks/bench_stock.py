"""Stock benchmark on the large data set: page server times and the accountability Excel.

Run with `make bench` (or `pytest tests/benchmarks/bench_stock.py -s --benchmarks`), on SQLite
by default or on PostgreSQL with DATABASE_URL. The data set (200 sites, 200,000 kits,
1,000,000 ledger lines) is built once into its own database and reused by later runs;
STOCK_BENCH_KITS / STOCK_BENCH_LINES build a smaller one.
"""

import io
import os
import time
import tracemalloc

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from tests.benchmarks.timing import client_of, ready_for_reading, server_ms
from tests.dbsetup import kept_database, make_test_app

pytestmark = pytest.mark.benchmark

KITS = int(os.environ.get("STOCK_BENCH_KITS", 200_000))
LINES = int(os.environ.get("STOCK_BENCH_LINES", 1_000_000))
SITES = int(os.environ.get("STOCK_BENCH_SITES", 200))


@pytest.fixture(scope="module")
def bench():
    from app.audit.services import set_actor
    from app.stock.demo.large import PROTOCOL, build_large_data_set
    from app.trials.models import Trial

    app = make_test_app(kept_database(f"bench_stock_{KITS}"), migrate=True)
    with app.app_context():
        if not db.session.scalar(select(Trial.id).where(Trial.protocol_code == PROTOCOL)):
            started = time.perf_counter()
            set_actor(db.session, None, "benchmark")
            report = build_large_data_set(db.session, sites=SITES, kits=KITS, lines=LINES,
                                          echo=print)
            db.session.commit()
            print(f"\n[stock bench] built in {time.perf_counter() - started:.0f} s: {report}")
        user_id = ready_for_reading(db.session, "bench@stock.example")
        db.session.remove()
    yield app, user_id


def test_pages_render_fast_on_the_large_data_set(bench):
    from app.stock.models import Kit, Location, StockEntry

    app, user_id = bench
    client = client_of(app, user_id)
    with app.app_context():
        counts = (db.session.scalar(select(func.count()).select_from(Kit)),
                  db.session.scalar(select(func.count()).select_from(StockEntry)))
        heavy = db.session.scalar(select(Location).where(Location.code.like("SITE-BENCH-%"))
                                  .order_by(Location.id))
        site_id = heavy.site_id
        kit_id = db.session.scalar(select(StockEntry.kit_id).where(
            StockEntry.location_id == heavy.id).order_by(func.random()).limit(1))
        kit_lines = db.session.scalar(select(func.count()).where(StockEntry.kit_id == kit_id))
        db.session.remove()
    figures = {
        "depot stock": server_ms(client, "/stock/depot"),
        "site stock (heavy site)": server_ms(client, f"/stock/sites/{site_id}"),
        "kit page": server_ms(client, f"/stock/kits/{kit_id}"),
        "kit list (all, sorted by expiry)": server_ms(client, "/stock/kits"),
        "resupply needs (shipments)": server_ms(client, "/shipments/resupply"),
        "resupply levels (stock)": server_ms(client, "/stock/resupply"),
        "expiry report (first page)": server_ms(client, "/stock/expiry?days=365"),
    }
    print(f"\n[stock bench] {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: "
          f"{counts[0]:,} kits, {counts[1]:,} ledger lines; kit {kit_id} has {kit_lines} lines")
    for name, ms in figures.items():
        print(f"[stock bench]   {name}: {ms:.1f} ms (median of 7)", flush=True)
    for name in ("depot stock", "site stock (heavy site)", "kit page",
                 "resupply needs (shipments)"):
        assert figures[name] < 150, (name, figures[name])


def test_accountability_excel_against_a_bare_openpyxl_loop(bench):
    from app.exports.excel import write_xlsx
    from app.stock.exports import accountability_sheets
    from app.stock.models import Location
    from app.stock.services import accountability
    from app.trials.models import Site

    app, _user = bench
    with app.test_request_context():
        heavy = db.session.scalar(select(Location).where(Location.code.like("SITE-BENCH-%"))
                                  .order_by(Location.id))
        site = db.session.get(Site, heavy.site_id)

        def export():
            figures = accountability.compute(db.session, site=site)
            buffer = io.BytesIO()
            write_xlsx(buffer, accountability_sheets(db.session, figures, site=site))
            return buffer

        # The same cells, fetched once, written by a bare write-only loop.
        figures = accountability.compute(db.session, site=site)
        sheets = accountability_sheets(db.session, figures, site=site)
        cells = [(s.title, [str(h) for h in s.headers], [
            [v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row]
            for row in s.rows]) for s in sheets]
        ledger_rows = len(cells[-1][2])

        def bare():
            book = Workbook(write_only=True)
            for title, headers, rows in cells:
                sheet = book.create_sheet(title)
                sheet.append(headers)
                for row in rows:
                    sheet.append(row)
            buffer = io.BytesIO()
            book.save(buffer)
            return buffer

        # Interleaved runs; wall time suffers from other work on a shared machine, so the
        # process CPU time is measured too (it includes SQLite's query work, not PostgreSQL's).
        wall = {"bare": [], "export": []}
        cpu = {"bare": [], "export": []}
        for _ in range(3):
            for name, fn in (("bare", bare), ("export", export)):
                started, started_cpu = time.perf_counter(), time.process_time()
                size = len(fn().getvalue())
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
        cells.clear()  # free the pre-fetched copy before measuring memory
        tracemalloc.start()
        export()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.session.remove()
    wall_ratio = min(wall["export"]) / min(wall["bare"])
    cpu_ratio = min(cpu["export"]) / min(cpu["bare"])
    print(f"\n[stock bench] accountability Excel of the heavy site: {ledger_rows:,} ledger "
          f"lines, {size / 1e6:.1f} MB; export {min(wall['export']):.2f} s wall / "
          f"{min(cpu['export']):.2f} s CPU (query included) vs bare openpyxl loop on "
          f"pre-fetched cells {min(wall['bare']):.2f} s wall / {min(cpu['bare']):.2f} s CPU "
          f"-> {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (best of 3 each); "
          f"peak traced memory {peak / 1e6:.1f} MB", flush=True)
    assert ledger_rows >= 40_000 or KITS < 200_000
    assert cpu_ratio <= 1.3 and peak < 100e6
