"""`flask alerts run` and the daily task on the demo: the morning alerts arrive once."""

from datetime import timedelta

from sqlalchemy import func, select

from app.alerts.models import SentAlert
from app.core import clock
from app.notify.models import Notice

DAY = (clock.today() + timedelta(days=30)).isoformat()


def test_flask_alerts_run_twice_sends_once(app, demo):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["alerts", "run", "--date", DAY])
    assert first.exit_code == 0, first.output
    sent = demo.session.scalar(select(func.count()).select_from(SentAlert))
    assert sent > 0 and first.output.endswith(f"\n{sent} messages sent.\n")
    notices = demo.session.scalar(select(func.count()).select_from(Notice))
    second = runner.invoke(args=["alerts", "run", "--date", DAY])
    assert second.exit_code == 0 and second.output.endswith("\n0 messages sent.\n")
    assert demo.session.scalar(select(func.count()).select_from(Notice)) == notices


def test_the_daily_task_runs_the_same_and_commits(app, demo):
    from app.alerts.tasks import daily_alerts

    first = daily_alerts.call_local()
    assert set(first) == {"kit_expiry", "shipment_overdue", "excursion_waiting",
                          "claim_validation_waiting", "claim_approval_waiting",
                          "calibration_due_soon", "calibration_due_now"}
    assert sum(first.values()) == demo.session.scalar(
        select(func.count()).select_from(SentAlert))
    assert sum(daily_alerts.call_local().values()) == 0
