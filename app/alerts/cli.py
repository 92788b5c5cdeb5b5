"""flask alerts run: the daily alerts now (the scheduled task runs the same)."""


import click
from flask.cli import AppGroup

from app.core import clock
from app.extensions import db

alerts_cli = AppGroup("alerts", help="Scheduled alerts.")


@alerts_cli.command("run")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as of this day (default today).")
def run(day):
    """Tell everyone concerned of what the alerts find, once; commit once."""
    from app.alerts.services import run_alerts
    from app.audit.services import set_actor

    set_actor(db.session, None, "alerts")
    sent = run_alerts(db.session, day.date() if day else clock.today())
    db.session.commit()
    for name, count in sent.items():
        click.echo(f"{name}: {count} sent")
    click.echo(f"{sum(sent.values())} messages sent.")
