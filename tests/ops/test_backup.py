"""The restore drill and the refusals of `flask backup create` / `flask backup restore`."""

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.files.models import StoredFile
from app.files.services import object_key, read_bytes, store_bytes
from app.files.storage import LocalStorage
from app.stock.models import Kit
from tests import factories
from tests.dbsetup import fresh_database, is_postgres, make_test_app
from tests.stock import factories as stock_factories

DB_FILE = "database.pgdump" if is_postgres() else "database.sqlite3"


@pytest.fixture(scope="module")
def drill_app(tmp_path_factory):
    app = make_test_app(fresh_database("backup"), migrate=True)
    app.extensions["ensayo_storage"] = LocalStorage(tmp_path_factory.mktemp("store"))
    app.config["AUDIT_ANCHOR_FILE"] = str(tmp_path_factory.mktemp("anchors") / "anchors.jsonl")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _receipt(body, name):
    return store_bytes(db.session, b"%PDF-1.4 " + body, original_name=name,
                       allowed_types={"application/pdf"}, max_bytes=4096)


def _counts():
    db.session.rollback()
    return {"users": db.session.scalar(select(func.count(User.id))),
            "kits": db.session.scalar(select(func.count(Kit.id))),
            "files": db.session.scalar(select(func.count(StoredFile.id))),
            "audit": db.session.scalar(select(func.count(AuditEntry.id)))}


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="module")
def backup(drill_app, tmp_path_factory):
    """Some stock, a site, a stored file; then a backup of it."""
    site = factories.make_site(db.session)
    stock_factories.make_site_kits(db.session, site, count=4)
    factories.make_user(db.session, roles=("site",), sites=(site,), email="before@test.example")
    first = _receipt(b"before", "before.pdf")
    db.session.commit()
    target = tmp_path_factory.mktemp("backups") / "b1"
    result = _run(drill_app, "backup", "create", str(target))
    assert result.exit_code == 0, result.output
    return target, first.storage_key, _counts()


def test_the_manifest_lists_every_part_and_the_chain_head(drill_app, backup):
    target, key, counts = backup
    manifest = json.loads((target / "manifest.json").read_text())
    head = db.session.execute(select(AuditEntry.id, AuditEntry.hash)
                              .order_by(AuditEntry.id.desc()).limit(1)).one()
    assert manifest["audit_head"] == {"last_id": head.id, "last_hash": head.hash,
                                      "entries": counts["audit"]}
    assert manifest["database"]["file"] == DB_FILE
    assert [row["key"] for row in manifest["files"]] == [object_key(key)]
    assert (target / "files" / object_key(key)).read_bytes() == b"%PDF-1.4 before"
    assert manifest["missing_files"] == []
    anchor = manifest["extensions"]["audit_anchor"]
    assert (anchor["entry_id"], anchor["hash"]) == (head.id, head.hash)
    written = Path(drill_app.config["AUDIT_ANCHOR_FILE"]).read_text().splitlines()
    assert json.loads(written[-1]) == anchor  # the same head, also outside the database
    assert sorted(p.name for p in target.iterdir()) == [DB_FILE, "files", "manifest.json"]


def test_restore_drill(drill_app, backup):
    target, key, counts = backup
    site = factories.make_site(db.session)
    stock_factories.make_site_kits(db.session, site, count=2)
    factories.make_user(db.session, roles=("admin",), email="later@test.example")
    later = _receipt(b"later", "later.pdf")
    db.session.commit()
    later_key = object_key(later.storage_key)
    storage = drill_app.extensions["ensayo_storage"]
    assert _counts() == {**counts, "users": counts["users"] + 1, "kits": counts["kits"] + 2,
                         "files": counts["files"] + 1, "audit": _counts()["audit"]}

    result = _run(drill_app, "backup", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Restored the backup of ")
    assert result.output.endswith(": database, 1 files (1 later files removed). Run "
                                  "`flask audit verify` and `flask stock verify` next.\n")

    assert _counts() == counts
    assert db.session.scalar(select(User).where(User.email == "later@test.example")) is None
    assert db.session.scalar(select(User.email).where(User.email == "before@test.example")) \
        == "before@test.example"
    assert storage.exists(later_key) is False
    kept = db.session.scalar(select(StoredFile).where(StoredFile.storage_key == key))
    assert read_bytes(kept) == b"%PDF-1.4 before"
    anchor_time = json.loads(
        Path(drill_app.config["AUDIT_ANCHOR_FILE"]).read_text().splitlines()[-1])["at"]
    audit = _run(drill_app, "audit", "verify")
    assert (audit.exit_code, audit.output) == (
        0, f"OK: {counts['audit']} audit entries verified with the audit key; the chain is "
           f"intact and matches the latest anchor ({anchor_time}).\n")
    stock = _run(drill_app, "stock", "verify")
    assert (stock.exit_code, stock.output) == (0, "OK: every balance agrees with the ledger.\n")


def _copy(backup, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(backup[0], copy)
    return copy


def _refused(app, copy, message):
    before = _counts()
    result = _run(app, "backup", "restore", str(copy), "--yes")
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert _counts() == before


def test_a_truncated_database_part_is_refused(drill_app, backup, tmp_path):
    copy = _copy(backup, tmp_path)
    data = (copy / DB_FILE).read_bytes()
    (copy / DB_FILE).write_bytes(data[: len(data) // 2])
    _refused(drill_app, copy, f"{DB_FILE} does not match the manifest (truncated or "
                              "altered). Nothing was restored.")


def test_an_altered_file_part_is_refused(drill_app, backup, tmp_path):
    copy = _copy(backup, tmp_path)
    part = copy / "files" / object_key(backup[1])
    part.write_bytes(b"%PDF-1.4 forged")
    _refused(drill_app, copy, f"files/{object_key(backup[1])} does not match the manifest "
                              "(truncated or altered). Nothing was restored.")


def test_a_truncated_manifest_is_refused(drill_app, backup, tmp_path):
    copy = _copy(backup, tmp_path)
    text = (copy / "manifest.json").read_text()
    (copy / "manifest.json").write_text(text[: len(text) // 2])
    _refused(drill_app, copy, f"The manifest in {copy} is damaged (truncated or altered). "
                              "Nothing was restored.")


def test_a_storage_that_cannot_be_written_is_refused(drill_app, backup, tmp_path):
    copy = _copy(backup, tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    saved = drill_app.extensions["ensayo_storage"]
    drill_app.extensions["ensayo_storage"] = LocalStorage(blocker / "store")
    try:
        _refused(drill_app, copy, f"The file storage {blocker / 'store'} is not writable "
                                  "(Not a directory): nothing was restored.")
    finally:
        drill_app.extensions["ensayo_storage"] = saved


def test_create_refuses_a_directory_it_cannot_write(drill_app, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = _run(drill_app, "backup", "create", str(blocker / "backup"))
    assert (result.exit_code, result.output) == (
        1, f"Error: The backup directory {blocker / 'backup'} is not writable (Not a "
           "directory). Choose another directory.\n")


def test_create_refuses_a_directory_that_is_not_empty(drill_app, backup):
    result = _run(drill_app, "backup", "create", str(backup[0]))
    assert (result.exit_code, result.output) == (
        1, f"Error: The backup directory {backup[0]} is not empty. Choose an empty or new "
           "directory.\n")


def test_backup_and_restore_with_s3_storage(drill_app, tmp_path):
    from app.files.storage import make_storage
    from tests.services import start_moto

    moto = start_moto("ensayo-backup")
    saved = drill_app.extensions["ensayo_storage"]
    storage = drill_app.extensions["ensayo_storage"] = make_storage(
        {**moto.env, "UPLOAD_FOLDER": ""})
    try:
        for row in db.session.scalars(select(StoredFile)):  # the drill's files, now in S3
            storage.put(object_key(row.storage_key), saved.read(object_key(row.storage_key)))
        stored = _receipt(b"in s3", "s3.pdf")
        db.session.commit()
        key = object_key(stored.storage_key)
        result = _run(drill_app, "backup", "create", str(tmp_path / "b"))
        assert result.exit_code == 0, result.output
        assert (tmp_path / "b" / "files" / key).read_bytes() == b"%PDF-1.4 in s3"
        storage.delete(key)
        storage.put("zz/added-later.pdf", b"%PDF- later")
        result = _run(drill_app, "backup", "restore", str(tmp_path / "b"), "--yes")
        assert result.exit_code == 0, result.output
        assert storage.read(key) == b"%PDF-1.4 in s3"
        assert storage.exists("zz/added-later.pdf") is False
    finally:
        drill_app.extensions["ensayo_storage"] = saved
        moto.stop()
