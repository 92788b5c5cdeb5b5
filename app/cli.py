"""Flask commands: demo data, audit chain check, outbox delivery."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

seed_cli = AppGroup("seed", help="Load data.")
audit_cli = AppGroup("audit", help="Audit trail maintenance.")
outbox_cli = AppGroup("outbox", help="E-mail outbox.")
states_cli = AppGroup("states", help="The declared state machines.")
users_cli = AppGroup("users", help="Accounts.")


@seed_cli.command("demo")
def seed_demo():
    """Load the demo company, trials, sites, subjects and one user per role (idempotent)."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Demo data is refused in production.")
    from app.audit.services import set_actor
    from app.core.domains import run_demo

    set_actor(db.session, None, "demo seed")
    report = []
    run_demo(db.session, report)
    db.session.commit()
    for line in report:
        click.echo(line)
    click.echo("Demo data ready.")


@audit_cli.command("verify")
def audit_verify():
    """Recompute the keyed audit chain, check it against the anchors, report what is wrong."""
    from app.audit.anchors import anchor_path, read_anchors
    from app.audit.integrity import state_mismatches
    from app.audit.services import verify_chain

    anchors = read_anchors()
    checked, broken_id, problem = verify_chain(db.session, anchors=anchors)
    if problem:
        click.echo(f"BROKEN at audit entry {broken_id}: {problem} "
                   f"({checked} entries before it are intact).")
        raise SystemExit(1)
    mismatches = state_mismatches(db.session)
    for name, record_id, status, audited in mismatches:
        click.echo(f"EDITED OUTSIDE THE APP: {name} {record_id} is {status!r} but its audit "
                   f"trail ends with {audited!r}.")
    if mismatches:
        raise SystemExit(1)
    if not anchors:
        click.echo(f"OK: {checked} audit entries verified with the audit key; the chain is "
                   f"intact. No anchor in {anchor_path()} yet: run `flask audit anchor`.")
        return
    click.echo(f"OK: {checked} audit entries verified with the audit key; the chain is intact "
               f"and matches the latest anchor ({anchors[-1]['at']}).")


@audit_cli.command("anchor")
def audit_anchor():
    """Append the audit chain's head (id, hash, time, count) to the anchor file."""
    from app.audit.anchors import anchor_path, write_anchor

    anchor = write_anchor(db.session)
    click.echo(f"Anchored audit entry {anchor['entry_id']} ({anchor['entries']} entries) "
               f"in {anchor_path()}.")


@audit_cli.command("grant-runtime")
@click.argument("role")
def audit_grant_runtime(role):
    """PostgreSQL: give the app's runtime ROLE its rights (run as the owner after upgrade)."""
    import re

    from sqlalchemy import text

    from app.core.database import runtime_grant_statements

    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("Database roles exist on PostgreSQL only.")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise click.ClickException("Give the role's name in lower case letters, digits and _.")
    for statement in runtime_grant_statements(role):
        db.session.execute(text(statement))
    db.session.commit()
    click.echo(f"{role}: INSERT and SELECT only on the append-only tables; "
               "normal rights elsewhere.")


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


@outbox_cli.command("show")
@click.argument("recipient")
def outbox_show(recipient):
    """Print the newest e-mails queued for one recipient, links included (demo use)."""
    from sqlalchemy import select

    from app.notify.models import OutboxMessage

    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient.strip().lower())
        .order_by(OutboxMessage.id.desc()).limit(3)).all()
    if not messages:
        raise click.ClickException(f"No e-mail queued for {recipient}.")
    for message in messages:
        click.echo(f"--- {message.created_at:%Y-%m-%d %H:%M} UTC · {message.subject}")
        click.echo(message.body)


@users_cli.command("create-admin")
@click.argument("email")
@click.argument("full_name")
def create_admin(email, full_name):
    """Create an administrator and print the link that sets the password."""
    from app.audit.services import set_actor
    from app.auth.services import AuthError, create_user, invitation_token

    set_actor(db.session, None, "command line")
    try:
        user = create_user(db.session, email=email, full_name=full_name, language="es",
                           roles=["admin"])
    except AuthError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Administrator {user.email} created. Open this path on the server to set "
               f"the password (valid {current_app.config['INVITATION_DAYS']} days):")
    click.echo(f"/auth/invitation/{invitation_token(user)}")


@states_cli.command("show")
@click.argument("name", required=False)
@click.option("--mermaid", is_flag=True, help="Print a Mermaid state diagram instead.")
def states_show(name, mermaid):
    """Print a state machine's transitions (or list the machines without a name)."""
    from app.core.states import machines

    known = machines()
    if not name:
        for key in sorted(known):
            click.echo(key)
        return
    if name not in known:
        raise click.ClickException(f"No state machine named {name!r}; "
                                   f"known: {', '.join(sorted(known))}.")
    machine = known[name]
    click.echo(machine.mermaid() if mermaid else "\n".join(machine.diagram()))


@states_cli.command("docs")
def states_docs():
    """Print the README section that documents every state machine (from the same data)."""
    from app.core.states import machines, markdown

    click.echo(markdown([machines()[name] for name in sorted(machines())]), nl=False)


def install(app):
    """Register the platform's command groups (domains add theirs in their registration)."""
    for group in (seed_cli, audit_cli, outbox_cli, users_cli, states_cli):
        app.cli.add_command(group)
