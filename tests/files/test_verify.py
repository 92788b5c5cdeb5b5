"""`flask files verify`: files without a record, records without a file, old orphans removed."""

import os
import time

from app.files.services import object_key, store_bytes


def _stored(db, body):
    stored = store_bytes(db.session, b"%PDF-1.4 " + body, original_name="r.pdf",
                         allowed_types={"application/pdf"}, max_bytes=1024)
    db.session.commit()
    return stored


def _age(storage, key, hours):
    then = time.time() - hours * 3600
    os.utime(storage.path(key), (then, then))


def test_verify_lists_both_kinds_and_removes_only_old_orphans(app, db, local_storage):
    kept = _stored(db, b"kept")
    lost = _stored(db, b"lost")
    local_storage.delete(object_key(lost.storage_key))
    local_storage.put("pending/cd/killed-upload.pdf", b"%PDF- half")
    _age(local_storage, "pending/cd/killed-upload.pdf", 25)
    local_storage.put("pending/ef/in-flight.pdf", b"%PDF- new")
    _age(local_storage, "pending/ef/in-flight.pdf", 2)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["files", "verify"])
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in lines] == [
        "file without a record: pending/cd/killed-upload.pdf",
        "file without a record: pending/ef/in-flight.pdf",
        f"record without a file: stored file {lost.id} {lost.storage_key}",
        f"{local_storage.root}: 1 records without a file, 2 files without a record, "
        "0 removed.",
    ]

    result = runner.invoke(args=["files", "verify", "--remove-orphans"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(
        "removed file without a record: pending/cd/killed-upload.pdf (10 bytes, ")
    assert result.output.splitlines()[-1] == (
        f"{local_storage.root}: 1 records without a file, 1 files without a record, "
        "1 removed.")
    assert sorted(k for k, _s, _t in local_storage.keys()) == [
        object_key(kept.storage_key), "pending/ef/in-flight.pdf"]


def test_verify_passes_when_store_and_records_agree(app, db, local_storage):
    _stored(db, b"one")
    result = app.test_cli_runner().invoke(args=["files", "verify"])
    assert (result.exit_code, result.output) == (
        0, f"{local_storage.root}: 0 records without a file, 0 files without a record, "
           "0 removed.\n")


def test_verify_finishes_the_move_a_stopped_process_left_under_the_pending_key(
        app, db, local_storage):
    """The record committed, then the process stopped before its after-commit rename: the
    bytes are the record's, not an orphan; an old one is never removed, verify moves it."""
    stored = _stored(db, b"unmoved")
    final = object_key(stored.storage_key)
    local_storage.rename(final, "pending/" + final)
    _age(local_storage, "pending/" + final, 48)
    result = app.test_cli_runner().invoke(args=["files", "verify", "--remove-orphans"])
    assert (result.exit_code, result.output.splitlines()) == (0, [
        f"finished the move of a committed file to its key: {final}",
        f"{local_storage.root}: 0 records without a file, 0 files without a record, "
        "0 removed."])
    assert [k for k, _s, _t in local_storage.keys()] == [final]
