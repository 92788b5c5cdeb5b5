"""The trial dashboard: orders by step, late steps, vein-to-vein quartiles by site and month."""

from datetime import UTC, date, datetime, timedelta

from app.celltherapy.models import TherapyOrder
from app.celltherapy.queries import late_orders, orders_by_step, vein_to_vein_by_site_month
from tests.celltherapy.factories import make_world
from tests.factories import make_subject

INFUSED = datetime(2026, 10, 20, 12, tzinfo=UTC)


def add(db, world, status, **stamps):
    subject = make_subject(db.session, world["site"])
    order = TherapyOrder(trial_id=world["trial"].id, site_id=world["site"].id,
                         subject_id=subject.id, status=status, collection_date=date(2026, 9, 1),
                         manufacturing_slot=date(2026, 9, 3), **stamps)
    db.session.add(order)
    return order


def test_figures_are_exact(app, db, client, login):
    world = make_world(db.session)
    for days in (20, 24, 31):
        add(db, world, "infused", collected_at=INFUSED - timedelta(days=days),
            infused_at=INFUSED, step_at=INFUSED)
    now = datetime.now(UTC)
    add(db, world, "to_lab", step_at=now - timedelta(hours=49))   # target 48 h: late
    add(db, world, "to_site", step_at=now - timedelta(hours=47))  # target 48 h: in time
    db.session.commit()
    trial_id = world["trial"].id
    assert orders_by_step(db.session, trial_id, None) == {"infused": 3, "to_lab": 1,
                                                          "to_site": 1}
    late, total = late_orders(db.session, trial_id, None, now=now)
    assert total == 1 and [(row[2], row[3], row[4]) for row in late] == [("to_lab", 49.0, 48)]
    figures = vein_to_vein_by_site_month(db.session, trial_id, None)
    assert figures == {(world["site"].site_number, "2026-10"): (20.0, 24.0, 31.0, 3)}
    login(world["site_user"])
    page = client.get(f"/cell-therapy/trials/{trial_id}/dashboard").get_data(as_text=True)
    assert "20.0 – 31.0" in page and "v2v-chart" in page
