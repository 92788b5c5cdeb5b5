"""The daily alert run as a Huey periodic task (one at a time: lock_task).

The hour is ALERTS_CRONTAB_HOUR / ALERTS_CRONTAB_MINUTE, in UTC (the queue runs in UTC):
05:00 UTC is 06:00 in Madrid in winter, 07:00 in summer.
"""

import os

from huey import crontab

from app.core import clock
from app.jobs.queue import huey, in_app_context

HOUR = os.environ.get("ALERTS_CRONTAB_HOUR", "5")
MINUTE = os.environ.get("ALERTS_CRONTAB_MINUTE", "0")


@huey.periodic_task(crontab(minute=MINUTE, hour=HOUR), retries=0)
@huey.lock_task("daily-alerts")
@in_app_context
def daily_alerts():
    """Run the alerts for today and commit once; return {alert: messages sent}."""
    from app.alerts.services import run_alerts
    from app.audit.services import set_actor
    from app.extensions import db

    set_actor(db.session, None, "alerts")
    try:
        sent = run_alerts(db.session, clock.today())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return sent
