"""Device figures: 5,000 devices, 50,000 calibration records and 200,000 recorded uses.

Run with `make bench` (or pytest tests/benchmarks/bench_devices.py --benchmarks -s); set
DATABASE_URL for PostgreSQL. The figures are printed, not asserted: targets are < 150 ms for
the due list and < 300 ms for an out-of-tolerance impact listing (server time through the
Flask test client).
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from app.core import clock
from app.core.models import utcnow
from app.devices.models import (
    CalibrationPlan,
    CalibrationRecord,
    Device,
    DeviceEvent,
    DeviceModel,
    ImpactAssessment,
)
from tests.benchmarks.timing import server_ms
from tests.factories import make_site, make_subject, make_trial, make_user, make_visit

pytestmark = pytest.mark.benchmark

DEVICES, RECORDS, USES = 5_000, 50_000, 200_000
HEAVY_USES = 20_000  # the device found out of tolerance: a tenth of every use


def _chunks(session, model, rows, size=5_000):
    for start in range(0, len(rows), size):
        session.execute(insert(model), rows[start:start + size])


def _build(session):
    today = clock.today()
    trial = make_trial(session)
    visits = [make_visit(session, trial, number=n) for n in range(1, 6)]
    sites = [make_site(session, trial) for _ in range(20)]
    subjects = [make_subject(session, sites[i % 20]) for i in range(400)]
    model_ids = []
    for n, kind in enumerate(("thermometer", "logger", "scale", "bp_monitor", "ecg")):
        model = DeviceModel(manufacturer="Bench", model=f"M{n}", device_class="IIa", kind=kind,
                            investigational=False, needs_calibration=True)
        session.add(model)
        session.flush()
        model_ids.append(model.id)
    first = (session.scalar(select(Device.id).order_by(Device.id.desc()).limit(1)) or 0) + 1
    now = utcnow()
    _chunks(session, Device, [dict(
        id=first + i, model_id=model_ids[i % 5], serial=f"BENCH-{i:06d}", owner="Bench",
        status="at_site", site_id=sites[i % 20].id, trial_id=trial.id, calibration_failed=False,
        created_at=now, updated_at=now) for i in range(DEVICES)])
    plan_first = (session.scalar(select(CalibrationPlan.id).order_by(
        CalibrationPlan.id.desc()).limit(1)) or 0) + 1
    _chunks(session, CalibrationPlan, [dict(
        id=plan_first + i, device_id=first + i, name="Yearly", interval_days=365, warn_days=14,
        procedure="PRO", lab_kind="external", active=True,
        last_done_on=today - timedelta(days=365 - (i % 400) + 30),
        next_due=today + timedelta(days=(i % 400) - 30), created_at=now, updated_at=now)
        for i in range(DEVICES)])
    per_device = RECORDS // DEVICES
    _chunks(session, CalibrationRecord, [dict(
        device_id=first + i // per_device, plan_id=plan_first + i // per_device,
        certificate_number=f"BENCH-CAL-{i:07d}", status="authorised", customer="Bench",
        lab_name="Lab", lab_address="Madrid", external=True, performed_at_place="Lab",
        method="PRO", condition_on_receipt="Good",
        received_on=today - timedelta(days=365 * (per_device - i % per_device)),
        calibrated_on=today - timedelta(days=365 * (per_device - i % per_device)),
        issued_on=today - timedelta(days=365 * (per_device - i % per_device)),
        temperature_c=Decimal("21"), humidity_pct=Decimal("40"), decision_rule="ilac_g8",
        as_found_result="pass", as_left_result="pass", adjusted=False, created_at=now,
        updated_at=now) for i in range(RECORDS)])
    heavy = first  # the device whose uses the impact listing reads
    rows = []
    for i in range(USES):
        device = heavy if i < HEAVY_USES else first + 1 + i % (DEVICES - 1)
        subject = subjects[i % 400]
        rows.append(dict(device_id=device, site_id=subject.site_id, trial_id=trial.id,
                         kind="use", subject_id=subject.id, visit_id=visits[i % 5].id,
                         occurred_on=today - timedelta(days=i % 700), recorded_at=now))
    _chunks(session, DeviceEvent, rows)
    failed = session.scalar(select(CalibrationRecord).where(
        CalibrationRecord.device_id == heavy).order_by(CalibrationRecord.calibrated_on.desc())
        .limit(1))
    impact = ImpactAssessment(device_id=heavy, record_id=failed.id,
                              since=today - timedelta(days=730), until=today, status="open",
                              summary=json.dumps({"uses": HEAVY_USES}))
    session.add(impact)
    session.flush()
    return impact


def test_due_list_and_impact_listing(app, db, client, login):
    session = db.session
    impact = _build(session)
    user = make_user(session, roles=("qp",))
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.execute(text("ANALYZE"))
        session.commit()
    login(user)
    dialect = session.get_bind().dialect.name
    print(f"\n[{dialect}] {DEVICES:,} devices, {RECORDS:,} calibration records, "
          f"{USES:,} uses ({HEAVY_USES:,} by the device found out of tolerance)")
    for label, url in (("due list (overdue and due in 30 days)", "/devices/due"),
                       ("due list, overdue only", "/devices/due?when=overdue"),
                       ("due list, last page", "/devices/due?page=1000"),
                       ("impact listing", f"/devices/impacts/{impact.id}")):
        print(f"  {label}: {server_ms(client, url):.0f} ms (median of 7)")
