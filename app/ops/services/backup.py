"""Backups: a consistent database copy, the stored files, and a manifest that proves them.

A backup directory holds ``database.sqlite3`` (SQLite online backup API) or
``database.pgdump`` (``pg_dump -Fc`` inside an exported snapshot), ``files/<key>`` for every
stored file the copied database refers to, and ``manifest.json`` written last: the SHA-256 and
size of each part, the audit chain head (latest entry id, its hash, the number of entries) and
an ``extensions`` object other modules fill through ``register_manifest_extension``.
``restore_backup`` checks everything before it changes anything.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.files.storage import CHUNK, PENDING_PREFIX, LocalStorage, StorageError, get_storage

MANIFEST = "manifest.json"
FORMAT = 1
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
HEAD_SQL = ("SELECT (SELECT last_id FROM audit_chain_heads WHERE id = 1), "
            "(SELECT last_hash FROM audit_chain_heads WHERE id = 1), "
            "(SELECT count(*) FROM audit_entries)")
# name -> function(head) returning a JSON-ready dict for manifest["extensions"][name]
_EXTENSIONS = {}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


def register_manifest_extension(name, function):
    """Add function(audit_head) -> dict to every new manifest under extensions[name]."""
    _EXTENSIONS[name] = function


def _audit_anchor(head):
    """Anchor the audit chain head outside the database as part of every backup."""
    from app.audit.anchors import write_anchor

    return write_anchor(db.session)


register_manifest_extension("audit_anchor", _audit_anchor)


def sha256_of(path):
    """Return (SHA-256 hex, size) of a file."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _backend():
    return db.engine.url.get_backend_name()


def _writable_directory(directory):
    """Create the directory if needed and prove it can be written; refuse otherwise."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
    except OSError as error:
        raise BackupError(f"The backup directory {directory} is not writable "
                          f"({error.strerror or error}). Choose another directory.") from None
    if any(directory.iterdir()):
        raise BackupError(f"The backup directory {directory} is not empty. Choose an empty "
                          "or new directory.")
    return directory


def _pg_tool(name, connection):
    """Return the path of pg_dump/pg_restore matching the server's major version."""
    major = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/" + name),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name
                        .isdigit() else 0)
    for path in candidates:
        if path.parent.parent.name == str(major):
            return str(path)
    newer = [p for p in candidates if p.parent.parent.name.isdigit()
             and int(p.parent.parent.name) >= major]
    found = str(newer[-1]) if newer else shutil.which(name)
    if not found:
        raise BackupError(f"{name} (PostgreSQL {major}) is not installed.")
    return found


def _pg_target():
    """Return (libpq URL without password, environment with PGPASSWORD) of the database."""
    url = make_url(db.engine.url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _copy_database(directory):
    """Write the database part; return (file name, audit head, storage keys it refers to)."""
    target = directory / DB_FILES[_backend()]
    if _backend() == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            last_id, last_hash, count = copy.execute(HEAD_SQL).fetchone()
            keys = [row[0] for row in copy.execute("SELECT storage_key FROM stored_files")]
        finally:
            copy.close()
            source.close()
    else:
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
                last_id, last_hash, count = connection.execute(text(HEAD_SQL)).one()
                keys = list(connection.execute(text("SELECT storage_key FROM stored_files"))
                            .scalars())
                url, env = _pg_target()
                done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                    [_pg_tool("pg_dump", connection), "--format=custom", "--no-owner",
                     f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url}"],
                    env=env, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    head = {"last_id": last_id, "last_hash": last_hash, "entries": count}
    return target.name, head, keys


def _copy_files(directory, keys):
    """Copy each stored file into files/; return the manifest rows and the missing keys."""
    from app.files.services import object_key

    storage = get_storage()
    rows, missing = [], []
    for storage_key in sorted(keys):
        key = object_key(storage_key)
        target = directory / "files" / key
        target.parent.mkdir(parents=True, exist_ok=True)
        sha, size = hashlib.sha256(), 0
        try:
            stream = storage.open(key)
        except Exception:  # noqa: BLE001 - reported in the manifest and by the command
            missing.append(key)
            continue
        with stream, open(target, "wb") as out:
            while chunk := stream.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
                out.write(chunk)
        rows.append({"key": key, "file": f"files/{key}", "size": size,
                     "sha256": sha.hexdigest()})
    return rows, missing


def create_backup(directory):
    """Write a backup into an empty or new directory; return the manifest."""
    directory = _writable_directory(directory)
    db.session.rollback()  # the copy must not wait on this session's own open transaction
    db_file, head, keys = _copy_database(directory)
    sha, size = sha256_of(directory / db_file)
    files, missing = _copy_files(directory, keys)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"backend": _backend(), "file": db_file, "size": size, "sha256": sha},
        "storage": get_storage().kind,
        "files": files,
        "missing_files": missing,
        "audit_head": head,
        "extensions": {name: function(head) for name, function in _EXTENSIONS.items()},
    }
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(partial, directory / MANIFEST)
    return manifest


def check_backup(directory):
    """Return the manifest when every part matches it; raise BackupError naming what does not."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        parts = [manifest["database"], *manifest["files"]]
        backend = manifest["database"]["backend"]
    except FileNotFoundError:
        raise BackupError(f"{directory} holds no {MANIFEST}: it is not a backup.") from None
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"The manifest in {directory} is damaged (truncated or altered). "
                          "Nothing was restored.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')} is not supported.")
    if backend != _backend():
        raise BackupError(f"This backup is of a {backend} database; the configured database "
                          f"is {_backend()}. Nothing was restored.")
    for part in parts:
        path = directory / part["file"]
        if not path.is_file() or ".." in Path(part["file"]).parts:
            raise BackupError(f"{part['file']} is missing from the backup. Nothing was restored.")
        if sha256_of(path) != (part["sha256"], part["size"]):
            raise BackupError(f"{part['file']} does not match the manifest (truncated or "
                              "altered). Nothing was restored.")
    return manifest


def _check_targets_writable():
    targets = []
    if _backend() == "sqlite":
        database = Path(db.engine.url.database)
        targets += [database.parent] + ([database] if database.exists() else [])
    storage = get_storage()
    try:
        if isinstance(storage, LocalStorage):
            storage.root.mkdir(parents=True, exist_ok=True)
            targets.append(storage.root)
        else:
            storage.check()
    except (OSError, StorageError) as error:
        raise BackupError(f"The file storage {storage.describe()} is not writable "
                          f"({getattr(error, 'strerror', None) or error}): nothing was "
                          "restored.") from None
    for target in targets:
        if not os.access(target, os.W_OK):
            raise BackupError(f"{target} is not writable: nothing was restored.")


def _restore_database(directory, manifest):
    part = directory / manifest["database"]["file"]
    db.session.remove()
    db.engine.dispose()
    if _backend() == "sqlite":
        source = sqlite3.connect(f"file:{part}?mode=ro", uri=True)
        target = sqlite3.connect(db.engine.url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    url, env = _pg_target()
    with db.engine.connect() as connection:
        tool = _pg_tool("pg_restore", connection)
    db.engine.dispose()
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", f"--dbname={url}", str(part)],
        env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed, the database is unchanged: "
                          f"{done.stderr.strip()}")


def _restore_files(directory, manifest):
    storage = get_storage()
    wanted = {row["key"]: row for row in manifest["files"]}
    for key, row in wanted.items():
        with open(directory / row["file"], "rb") as stream:
            storage.put(key, stream)
    removed = 0
    for key, _size, _modified in list(storage.keys()):
        if key not in wanted and not key.startswith(PENDING_PREFIX):
            storage.delete(key)
            removed += 1
    return len(wanted), removed


def restore_backup(directory):
    """Check the backup whole, then restore the database and the files; return a summary."""
    directory = Path(directory)
    manifest = check_backup(directory)
    _check_targets_writable()
    _restore_database(directory, manifest)
    restored, removed = _restore_files(directory, manifest)
    return {"manifest": manifest, "files_restored": restored, "files_removed": removed}
