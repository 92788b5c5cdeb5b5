"""flask stock ...: verify the balances against the ledger; build a large data set."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

stock_cli = AppGroup("stock", help="Medication stock maintenance.")


@stock_cli.command("verify")
@click.option("--repair", is_flag=True, help="Set the differing balances to the ledger sums.")
def verify(repair):
    """Rebuild the balances from the ledger and report every difference."""
    from app.stock.services.ledger import verify_balances

    differences = verify_balances(db.session, repair=repair)
    for (location_id, trial_id, lot_id), have, want in differences:
        click.echo(f"DIFFERENCE location {location_id} trial {trial_id} lot {lot_id}: "
                   f"balance (on hand, quarantined, available) {have}, ledger says {want}")
    if repair:
        db.session.commit()
    if differences:
        click.echo(f"{len(differences)} balance rows differ from the ledger"
                   + (" (repaired)." if repair else "."))
        raise SystemExit(1 if not repair else 0)
    click.echo("OK: every balance agrees with the ledger.")


@stock_cli.command("demo-data")
@click.option("--large", is_flag=True, help="200 sites, 200,000 kits, 1,000,000 ledger lines.")
@click.option("--sites", default=200, show_default=True)
@click.option("--kits", default=200_000, show_default=True)
@click.option("--lines", default=1_000_000, show_default=True)
def demo_data(large, sites, kits, lines):
    """Generate a large stock data set with bulk inserts (for benchmarks)."""
    from app.stock.demo.large import build_large_data_set

    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Demo data is refused in production.")
    if not large:
        click.echo("Add --large to build the large data set.")
        return
    report = build_large_data_set(db.session, sites=sites, kits=kits, lines=lines,
                                  echo=click.echo)
    db.session.commit()
    for line in report:
        click.echo(line)
