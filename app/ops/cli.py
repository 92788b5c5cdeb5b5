"""`flask backup create DIR` and `flask backup restore DIR`."""

import click
from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="Back up and restore the database and stored files.")


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False))
def create(directory):
    """Write the database, the stored files and a manifest into an empty DIRECTORY."""
    from app.ops.services.backup import BackupError, create_backup

    try:
        manifest = create_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    head = manifest["audit_head"]
    for key in manifest["missing_files"]:
        click.echo(f"WARNING: stored file {key} has a record but no bytes; not in the backup.")
    click.echo(f"Backup written to {directory}: {manifest['database']['backend']} database, "
               f"{len(manifest['files'])} files, audit chain head entry {head['last_id']} "
               f"({head['entries']} entries).")


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(directory, yes):
    """Check a backup against its manifest, then replace the database and stored files."""
    from app.ops.services.backup import BackupError, check_backup, restore_backup

    try:
        manifest = check_backup(directory)
        if not yes:
            click.confirm(f"Replace the database and stored files with the backup of "
                          f"{manifest['created_at']}?", abort=True)
        summary = restore_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup of {manifest['created_at']}: database, "
               f"{summary['files_restored']} files ({summary['files_removed']} later files "
               "removed). Run `flask audit verify` and `flask stock verify` next.")
