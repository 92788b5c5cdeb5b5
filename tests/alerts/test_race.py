"""Two alert runs racing: every item is told once to each person, never twice."""

import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.alerts.models import SentAlert
from app.alerts.services import run_alerts
from app.core import clock
from app.extensions import db
from app.notify.models import Notice
from tests.shipments.factories import make_dispatched, make_world


def run_together(app, count):
    """Run the alerts in count threads at once, each in its own session; return outcomes."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def work(index):
        with app.app_context(), Session(db.engine) as session:
            barrier.wait()
            try:
                sent = run_alerts(session, clock.today())
                session.commit()
                results[index] = sum(sent.values())
            except Exception as error:  # the loser of a write race may be refused whole
                session.rollback()
                results[index] = type(error).__name__

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_runs_racing_tell_each_person_once(race_app):
    with race_app.app_context():
        world = make_world(db.session)
        shipment = make_dispatched(db.session, world, requested=1)
        shipment.dispatched_at -= timedelta(days=6)
        db.session.commit()
        db.session.query(Notice).delete()
        db.session.commit()
        db.session.remove()

    results = run_together(race_app, 2)

    with race_app.app_context():
        # Logistics and the site were told of the overdue shipment exactly once each.
        assert db.session.scalar(select(func.count()).select_from(SentAlert)) == 2
        assert db.session.scalar(select(func.count()).select_from(Notice)) == 2
        # One run sent both messages; the other sent none or was refused and rolled back.
        assert 2 in results and results.count(2) == 1
        assert all(r == 2 or r == 0 or isinstance(r, str) for r in results)
        assert sum(run_alerts(db.session, clock.today()).values()) == 0
        db.session.rollback()
