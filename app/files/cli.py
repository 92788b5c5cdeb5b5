"""`flask files verify`: stored files without a record and records without a file."""

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from app.extensions import db

files_cli = AppGroup("files", help="Stored files.")


def compare_storage(session, storage):
    """Return (orphans [(key, size, modified)], missing [StoredFile]) for the store."""
    from sqlalchemy import select

    from app.files.models import StoredFile
    from app.files.services import object_key

    records = {object_key(f.storage_key): f for f in session.scalars(select(StoredFile))}
    present, orphans = set(), []
    for key, size, modified in storage.keys():
        if key in records:
            present.add(key)
        else:
            orphans.append((key, size, modified))
    missing = [record for key, record in sorted(records.items()) if key not in present]
    return sorted(orphans), missing


@files_cli.command("verify")
@click.option("--remove-orphans", is_flag=True,
              help="Delete files without a record that are older than a day.")
def verify(remove_orphans):
    """List files without a record and records without a file (exit 1 when a file is missing)."""
    from app.files.storage import get_storage

    storage = get_storage()
    orphans, missing = compare_storage(db.session, storage)
    old = datetime.now(UTC) - timedelta(days=1)
    removed = 0
    for key, size, modified in orphans:
        if remove_orphans and modified < old:
            storage.delete(key)
            removed += 1
            click.echo(f"removed file without a record: {key} ({size} bytes, "
                       f"{modified:%Y-%m-%d %H:%M} UTC)")
        else:
            click.echo(f"file without a record: {key} ({size} bytes, "
                       f"{modified:%Y-%m-%d %H:%M} UTC)")
    for record in missing:
        click.echo(f"record without a file: stored file {record.id} {record.storage_key} "
                   f"({record.original_name})")
    left = len(orphans) - removed
    click.echo(f"{storage.describe()}: {len(missing)} records without a file, {left} files "
               f"without a record, {removed} removed.")
    if missing:
        raise SystemExit(1)
