"""Cell-therapy figures: 1,000 therapy orders and 50,000 custody and condition events.

Run with `make bench` (or pytest tests/benchmarks/bench_celltherapy.py --benchmarks -s); set
DATABASE_URL for PostgreSQL. Printed, not asserted: targets are < 100 ms for a patient's
timeline and < 200 ms for the trial dashboard (server time through the Flask test client).
"""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from app.celltherapy.models import MAIN_PATH, ConditionLeg, Custody, TherapyOrder
from app.core import clock
from app.core.models import utcnow
from tests.benchmarks.timing import server_ms
from tests.factories import make_site, make_subject, make_trial, make_user

pytestmark = pytest.mark.benchmark

ORDERS = 1_000
EVENTS = 50_000  # custody records and condition legs together
STEPS = ("custody",) * 9 + ("leg",)


def _load(session):
    trial = make_trial(session, kind="cell_therapy")
    sites = [make_site(session, trial) for _ in range(10)]
    subjects = [make_subject(session, sites[i % 10]) for i in range(ORDERS)]
    user = make_user(session, roles=("admin",))
    now = utcnow()
    start = session.scalar(select(TherapyOrder.id).order_by(TherapyOrder.id.desc())) or 0
    orders = []
    for i, subject in enumerate(subjects):
        collected = now - timedelta(days=30 + (i * 7) % 360, hours=i % 24)
        reached = MAIN_PATH[1 + i % 10] if i % 5 else "infused"
        stamps = {f"{s}_at": collected + timedelta(hours=60 * n)
                  for n, s in enumerate(MAIN_PATH[1:MAIN_PATH.index(reached) + 1])}
        orders.append(dict(id=start + i + 1, trial_id=trial.id, site_id=subject.site_id,
                           subject_id=subject.id, coi=f"CHA999826{start + i + 1:06d}",
                           product_kind="car_t", status=reached, collection_number=1,
                           collection_date=collected.date(), manufacturing_slot=clock.today(),
                           step_at=stamps[f"{reached}_at"], scheduled_at=collected, **stamps))
    session.execute(insert(TherapyOrder), orders)
    custody, legs = [], []
    for n in range(EVENTS):
        order = orders[n % ORDERS]
        at = order["collected_at"] + timedelta(minutes=n // ORDERS)
        if STEPS[n % len(STEPS)] == "leg":
            legs.append(dict(order_id=order["id"], leg="to_lab", logger_serial=f"LG-{n}",
                             readings=2880, first_at=at, last_at=at + timedelta(hours=48),
                             min_c=Decimal("3.1"), max_c=Decimal("6.8"), limit_c=Decimal("8"),
                             minutes_out=Decimal("0"), qa_status="none", uploaded_at=at))
        else:
            custody.append(dict(order_id=order["id"], step="ship_to_lab", handed_over_by="A",
                                received_by="B", recorded_by_id=user.id, location="Hospital",
                                occurred_at=at, condition="cool", bag_scan="&/" + order["coi"],
                                document_scan="&/" + order["coi"]))
    session.execute(insert(Custody), custody)
    session.execute(insert(ConditionLeg), legs)
    session.commit()
    return trial, orders, user


def test_timeline_and_dashboard_with_1000_orders_and_50000_events(app, db, client, login):
    session = db.session
    dialect = session.get_bind().dialect.name
    started = time.perf_counter()
    trial, orders, user = _load(session)
    print(f"\n[celltherapy · {dialect}] loaded {ORDERS:,} orders and {EVENTS:,} custody and "
          f"condition events in {time.perf_counter() - started:.1f} s")
    login(user)
    infused = next(o for o in orders if o["status"] == "infused")
    for label, url, target in (
            ("for scale: the near-empty dry-shipper list", "/cell-therapy/shippers", 0),
            ("patient timeline (50 events)", f"/cell-therapy/orders/{infused['id']}/timeline",
             100),
            ("trial dashboard", f"/cell-therapy/trials/{trial.id}/dashboard", 200)):
        median = server_ms(client, url)
        goal = f" (target < {target})" if target else ""
        print(f"[celltherapy · {dialect}] {label}: median {median:.0f} ms{goal}")
