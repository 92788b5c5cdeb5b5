"""Scheduled alerts: the runner, its command and the record of what was told."""

from flask_babel import lazy_gettext as _l

from app.alerts import tasks  # noqa: F401 - the daily task is registered with the queue
from app.alerts.cli import alerts_cli
from app.core.domains import Domain

DOMAIN = Domain(
    name="alerts",
    commands=(alerts_cli,),
    audit_actions={"alert_sent": _l("Alert sent")},
    audit_fields={"alert": _l("Alert"), "item": _l("Item alerted"),
                  "recipient": _l("Recipient")},
    record_types={"sent_alert": _l("Scheduled alert")},
)
