from datetime import date, timedelta

from app.alerts.services import run_alerts
from app.core.domains import REGISTRY


def test_explore(demo):
    today = date.today()
    for alert in REGISTRY.alerts:
        items = alert.find(demo.session, today, alert.days or 14)
        print(alert.name, [(i.key, i.site_id, i.link) for i in items])
    print(run_alerts(demo.session, today))
    print(run_alerts(demo.session, today))
    print(run_alerts(demo.session, today + timedelta(days=30)))
