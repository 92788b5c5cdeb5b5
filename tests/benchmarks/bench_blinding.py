"""Blinding benchmark: a stratified list of 10,000 numbers; randomising with 10,000 numbers used.

Run with `make bench` (or `pytest tests/benchmarks/bench_blinding.py -s --benchmarks`), on
SQLite by default or on PostgreSQL with DATABASE_URL.
"""

import os
import statistics
import time

import pytest
from sqlalchemy import insert, select, update

from app.extensions import db
from tests.dbsetup import fresh_database, make_test_app

pytestmark = pytest.mark.benchmark

STRATIFIED = {"arms": [["A", 2], ["B", 1]], "block_sizes": [3, 6, 9], "per_stratum": 2500,
              "strata": [{"name": "sex", "levels": ["M", "F"]},
                         {"name": "age", "levels": ["<65", ">=65"]}]}


@pytest.fixture(scope="module")
def bench():
    app = make_test_app(fresh_database("bench_blinding"), migrate=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_generating_a_stratified_list_of_10000_numbers(bench):
    from app.blinding.services.generator import generate
    from app.blinding.services.lists import generate_list
    from tests import factories

    started = time.perf_counter()
    entries = generate(STRATIFIED, "bench-seed")
    generate_s = time.perf_counter() - started
    with bench.app_context(), bench.test_request_context():
        trial = factories.make_trial(db.session, blinded=True)
        user = factories.make_user(db.session, roles=("unblinded",))
        started = time.perf_counter()
        rlist = generate_list(db.session, trial, name="bench", purpose="production",
                              parameters=STRATIFIED, by=user, seed="bench-seed")
        db.session.commit()
        stored_s = time.perf_counter() - started
        size = rlist.size
        dialect = db.engine.dialect.name
        db.session.remove()
    print(f"\n[blinding bench] {dialect}: stratified list of "
          f"{len(entries):,} numbers (4 strata, ratio 2:1, blocks 3/6/9): generated in "
          f"{generate_s:.3f} s; generated, stored and committed in {stored_s:.3f} s "
          f"(target < 1 s)")
    assert len(entries) == size == 10_000


def test_randomising_a_subject_with_10000_numbers_used(bench):
    from app.blinding.models import RandomisationSlot
    from app.blinding.services.generator import generate
    from app.trials.api import Subject
    from tests import factories
    from tests.benchmarks.timing import client_of, server_ms
    from tests.blinding.factories import make_verified_list

    params = {**STRATIFIED, "per_stratum": 2600}
    with bench.app_context(), bench.test_request_context():
        session = db.session
        trial = factories.make_trial(session, blinded=True)
        rlist = make_verified_list(session, trial, parameters=params, seed="bench")
        site = factories.make_site(session, trial)
        user = factories.make_user(session, roles=("site",), sites=[site])
        session.execute(insert(Subject), [
            {"trial_id": trial.id, "site_id": site.id, "code": f"B-{i:05d}",
             "status": "enrolled"} for i in range(10_020)])
        subject_ids = session.scalars(select(Subject.id).where(Subject.trial_id == trial.id)
                                      .order_by(Subject.id)).all()
        slots = session.execute(select(RandomisationSlot.id).where(
            RandomisationSlot.list_id == rlist.id).order_by(RandomisationSlot.sequence,
                                                            RandomisationSlot.id)).scalars()
        used = list(zip(list(slots)[:10_000], subject_ids[:10_000], strict=True))
        session.execute(update(RandomisationSlot),
                        [{"id": slot, "subject_id": subject} for slot, subject in used])
        session.commit()
        free = subject_ids[10_000:10_015]
        user_id = user.get_id()
        dialect = db.engine.dialect.name
        db.session.remove()
    assert len(generate(params, "bench")) == 10_400
    client = client_of(bench, user_id)
    times = []
    for subject_id in free:
        started = time.perf_counter()
        response = client.post(f"/blinding/subjects/{subject_id}/randomise",
                               data={"stratum_0": "F", "stratum_1": ">=65", "eligible": "y"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302
    reference = server_ms(client, f"/blinding/subjects/{free[0]}")
    print(f"\n[blinding bench] {dialect}: randomising a subject with 10,000 numbers used: median "
          f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms over {len(times)} "
          f"subjects (server time through the test client, target < 100 ms); for scale, the "
          f"subject's page GET takes {reference:.1f} ms; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
