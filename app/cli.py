"""Flask commands: demo data, audit chain check, outbox delivery."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

seed_cli = AppGroup("seed", help="Load data.")
audit_cli = AppGroup("audit", help="Audit trail maintenance.")
outbox_cli = AppGroup("outbox", help="E-mail outbox.")


@seed_cli.command("demo")
def seed_demo():
    """Load the demo company, trials, sites, subjects and one user per role (idempotent)."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Demo data is refused in production.")
    from app.audit.services import set_actor
    from app.auth.demo import seed_users
    from app.trials.demo import seed_trials

    set_actor(db.session, None, "demo seed")
    report = []
    trials = seed_trials(db.session, report)
    users = seed_users(db.session, trials, report)
    from app.reimbursement.demo import seed_reimbursement

    seed_reimbursement(db.session, users, report)
    db.session.commit()
    for line in report:
        click.echo(line)
    click.echo("Demo data ready.")


@audit_cli.command("verify")
def audit_verify():
    """Recompute the audit hash chain and report the first broken link."""
    from app.audit.services import verify_chain

    checked, broken_id, problem = verify_chain(db.session)
    if broken_id is not None:
        click.echo(f"BROKEN at audit entry {broken_id}: {problem} "
                   f"({checked} entries before it are intact).")
        raise SystemExit(1)
    click.echo(f"OK: {checked} audit entries verified, the chain is intact.")


@outbox_cli.command("send")
def outbox_send():
    """Deliver queued e-mails through the configured mail server."""
    from app.notify.services import deliver_outbox

    if not current_app.config["MAIL_SERVER"]:
        click.echo("MAIL_SERVER is not set: messages stay in the outbox.")
        return
    sent, failed = deliver_outbox(db.session)
    db.session.commit()
    click.echo(f"Sent {sent}, failed {failed}.")


def install(app):
    """Register the command groups."""
    for group in (seed_cli, audit_cli, outbox_cli):
        app.cli.add_command(group)
