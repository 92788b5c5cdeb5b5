"""`flask files verify`: stored files without a record and records without a file."""

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from app.extensions import db

files_cli = AppGroup("files", help="Stored files.")


def compare_storage(session, storage):
    """Return (orphans [(key, size, modified)], missing [StoredFile], unmoved [key]).

    ``unmoved`` are files still under their pending key although their record committed: the
    process that committed stopped before its after-commit rename (readers already find them
    there; ``verify`` finishes the move). They are neither orphans nor missing.
    """
    from sqlalchemy import select

    from app.files.models import StoredFile
    from app.files.services import object_key
    from app.files.storage import PENDING_PREFIX

    records = {object_key(f.storage_key): f for f in session.scalars(select(StoredFile))}
    listed = list(storage.keys())
    present = {key for key, _size, _modified in listed if key in records}
    orphans, unmoved = [], []
    for key, size, modified in listed:
        if key in records:
            continue
        final = key.removeprefix(PENDING_PREFIX) if key.startswith(PENDING_PREFIX) else None
        if final in records and final not in present:
            unmoved.append(final)
        else:
            orphans.append((key, size, modified))
    missing = [record for key, record in sorted(records.items())
               if key not in present and key not in unmoved]
    return sorted(orphans), missing, sorted(unmoved)


@files_cli.command("verify")
@click.option("--remove-orphans", is_flag=True,
              help="Delete files without a record that are older than a day.")
def verify(remove_orphans):
    """List files without a record and records without a file (exit 1 when a file is missing)."""
    from app.files.storage import PENDING_PREFIX, get_storage

    storage = get_storage()
    orphans, missing, unmoved = compare_storage(db.session, storage)
    for key in unmoved:
        storage.rename(PENDING_PREFIX + key, key)
        click.echo(f"finished the move of a committed file to its key: {key}")
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
