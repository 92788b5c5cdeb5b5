"""The audit chain is keyed and anchored outside the database: an attacker with database
rights who re-forges it (trigger off, entry edited, hashes recomputed, head moved) or cuts
its tail is named by `flask audit verify`."""

import hashlib
import hmac
import json
from datetime import UTC

import pytest
from sqlalchemy import select, text

import config
from app.audit.anchors import read_anchors, write_anchor
from app.audit.models import AuditEntry
from app.audit.services import verify_chain
from tests.dbsetup import is_postgres


@pytest.fixture
def anchors(app, tmp_path, monkeypatch):
    path = tmp_path / "anchors.jsonl"
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_FILE", str(path))
    return path


def _entries(session, n, make):
    for _ in range(n):
        make.trial()
    session.commit()
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def _guard_off(session):
    if is_postgres():
        session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_entries_no_update"))
        session.execute(text("DROP TRIGGER audit_entries_no_delete"))


def _attacker_hash(entry, prev, key):
    """What an attacker can compute: the old unkeyed SHA-256 or HMAC with a guessed key."""
    stamp = entry.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    fields = [prev, stamp, entry.user_id, entry.user_name, entry.entity_type, entry.entity_id,
              entry.entity_label, entry.action, entry.changes, entry.reason]
    if key is None:
        payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()
    payload = json.dumps([2, *fields], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _reforge(session, victim_id, key, version):
    """Edit the victim's reason and re-chain it and every later entry, then move the head."""
    _guard_off(session)
    session.execute(text("UPDATE audit_entries SET reason = 'forged' WHERE id = :id"),
                    {"id": victim_id})
    session.expire_all()
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = None
    for entry in rows:
        if entry.id < victim_id:
            prev = entry.hash
            continue
        digest = _attacker_hash(entry, prev or "0" * 64, key)
        session.execute(text("UPDATE audit_entries SET prev_hash = :p, hash = :h, "
                             "chain_version = :v WHERE id = :id"),
                        {"p": prev or "0" * 64, "h": digest, "v": version, "id": entry.id})
        prev = digest
    session.execute(text("UPDATE audit_chain_heads SET last_hash = :h WHERE id = 1"),
                    {"h": prev})
    session.expire_all()


def test_entries_are_hashed_with_the_key_not_plain_sha256(db, make):
    entries = _entries(db.session, 2, make)
    newest = entries[-1]
    assert newest.chain_version == 2
    assert newest.hash != _attacker_hash(newest, newest.prev_hash, None)
    assert newest.hash == _attacker_hash(newest, newest.prev_hash, b"test-audit-key-" + b"x" * 20)


@pytest.mark.parametrize("key,version", [(None, 2), (None, 1), (b"a guessed key", 2)],
                         ids=["unkeyed", "unkeyed-marked-legacy", "wrong-key"])
def test_a_reforged_chain_fails_verify(app, db, make, key, version):
    entries = _entries(db.session, 3, make)
    victim = entries[-2]
    _reforge(db.session, victim.id, key, version)
    checked, broken, problem = verify_chain(db.session)
    assert broken == victim.id
    if version == 1:
        assert problem == ("an unkeyed entry follows keyed ones: the chain was re-forged "
                           "without the audit key")
    else:
        assert problem == ("content does not match its keyed hash: the entry was edited or "
                           "re-hashed without the audit key")


def test_a_chain_reforged_before_any_keyed_entry_is_caught_by_the_anchor(app, db, make,
                                                                          anchors):
    """Everything re-hashed the old unkeyed way (as if from before the key): the anchor."""
    entries = _entries(db.session, 3, make)
    write_anchor(db.session)
    _reforge(db.session, entries[0].id, None, 1)
    checked, broken, problem = verify_chain(db.session, anchors=read_anchors(app))
    assert broken == entries[-1].id  # the anchored entry
    assert problem.startswith("re-forged: the chain no longer matches the anchor written ")
    assert problem.endswith(f" at entry {entries[-1].id}")


def test_a_deleted_tail_with_the_head_moved_back_is_named(app, db, make, anchors):
    entries = _entries(db.session, 4, make)
    anchor = write_anchor(db.session)
    assert anchor["entry_id"] == entries[-1].id and anchor["hash"] == entries[-1].hash
    assert anchor["entries"] == len(entries)
    keep = entries[-3]
    _guard_off(db.session)
    db.session.execute(text("DELETE FROM audit_entries WHERE id > :id"), {"id": keep.id})
    db.session.execute(text("UPDATE audit_chain_heads SET last_id = :i, last_hash = :h "
                            "WHERE id = 1"), {"i": keep.id, "h": keep.hash})
    db.session.expire_all()
    assert verify_chain(db.session)[1] is None  # the database alone cannot tell
    checked, broken, problem = verify_chain(db.session, anchors=read_anchors(app))
    assert broken == keep.id
    assert problem == (f"entries are missing: the anchor written {anchor['at']} names entry "
                       f"{anchor['entry_id']} ({anchor['entries']} entries) but the chain ends "
                       f"at entry {keep.id} ({len(entries) - 2} entries)")


def test_cli_anchor_then_verify_names_a_missing_tail(app, db, make, anchors):
    entries = _entries(db.session, 3, make)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"Anchored audit entry {entries[-1].id} ({len(entries)} entries) "
                             f"in {anchors}.\n")
    line = json.loads(anchors.read_text().splitlines()[-1])
    assert set(line) == {"entry_id", "hash", "at", "entries", "keyed_from", "mac"}
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"OK: {len(entries)} audit entries verified with the audit key; "
                             f"the chain is intact and matches the latest anchor "
                             f"({line['at']}).\n")
    _guard_off(db.session)
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[-1].id})
    db.session.execute(text("UPDATE audit_chain_heads SET last_id = :i, last_hash = :h "
                            "WHERE id = 1"), {"i": entries[-2].id, "h": entries[-2].hash})
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.startswith(f"BROKEN at audit entry {entries[-2].id}: entries are "
                                    "missing: the anchor written ")


def test_an_edited_anchor_line_is_refused(app, db, make, anchors):
    _entries(db.session, 1, make)
    write_anchor(db.session)
    line = json.loads(anchors.read_text())
    line["entries"] += 1
    anchors.write_text(json.dumps(line) + "\n")
    checked, broken, problem = verify_chain(db.session, anchors=read_anchors(app))
    assert problem == "anchor line 1 of the anchor file was altered (its MAC does not match)"


def test_the_daily_task_appends_an_anchor(app, db, make, anchors):
    from app.audit.tasks import anchor_audit_chain
    from app.jobs.queue import huey

    entries = _entries(db.session, 1, make)
    assert anchor_audit_chain.task_class in huey._registry._periodic_tasks
    anchor_audit_chain.call_local()
    anchor_audit_chain.call_local()
    lines = [json.loads(x) for x in anchors.read_text().splitlines()]
    assert [x["entry_id"] for x in lines] == [entries[-1].id] * 2


def test_production_refuses_to_start_without_the_audit_key(monkeypatch):
    from app import create_app

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "k" * 40)
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_HMAC_KEY", "")
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
        create_app("production")
