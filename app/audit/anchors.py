"""Anchors: the chain's head written outside the database, so a re-forged chain or a cut
tail is noticed even by someone who can rewrite every row (and knows no audit key).

An anchor is one JSON line appended to AUDIT_ANCHOR_FILE: the newest entry's id and hash,
the entry count up to it, the first keyed entry, the time, and an HMAC of those with the
audit key. The daily task, `flask audit anchor` and the backup (``write_anchor``) append
one each; `flask audit verify` checks the chain against all of them.
"""

import hashlib
import hmac
import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.audit.models import CHAIN_KEYED, AuditChainHead, AuditEntry
from app.audit.services import audit_key
from app.core.models import utcnow

FIELDS = ("entry_id", "hash", "at", "entries", "keyed_from")


def anchor_path(app=None):
    """Return the anchor file's path (AUDIT_ANCHOR_FILE)."""
    return Path((app or current_app).config["AUDIT_ANCHOR_FILE"])


def _mac(record):
    payload = json.dumps([record[name] for name in FIELDS], separators=(",", ":"))
    return hmac.new(audit_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def write_anchor(session):
    """Append the chain's current head to the anchor file; return the anchor written.

    The backup command calls this too, so every backup has an anchor to be checked against.
    """
    head = session.get(AuditChainHead, 1)
    last_id = head.last_id if head else 0
    record = {
        "entry_id": last_id,
        "hash": head.last_hash if head else None,
        "at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "entries": session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.id <= last_id)),
        "keyed_from": session.scalar(select(func.min(AuditEntry.id)).where(
            AuditEntry.chain_version == CHAIN_KEYED, AuditEntry.id <= last_id)),
    }
    record["mac"] = _mac(record)
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return record


def read_anchors(app=None):
    """Return the anchors in file order; a line that fails its MAC becomes a problem."""
    path = anchor_path(app)
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            intact = hmac.compare_digest(record["mac"], _mac(record))
        except (ValueError, KeyError, TypeError):
            intact = False
        if not intact:
            anchors.append({"problem": f"anchor line {number} of the anchor file was altered "
                                       "(its MAC does not match)"})
            continue
        anchors.append(record)
    return anchors


def check_anchors(anchors, matched, last_id, checked, keyed_from):
    """Return what the anchors say is wrong with a chain that ends at last_id, or ''."""
    for anchor in anchors:
        if "problem" in anchor:
            return anchor["problem"]
    for anchor in anchors:
        if anchor["entry_id"] and anchor["entry_id"] not in matched:
            return (f"entries are missing: the anchor written {anchor['at']} names entry "
                    f"{anchor['entry_id']} ({anchor['entries']} entries) but the chain ends "
                    f"at entry {last_id} ({checked} entries)")
    if anchors and anchors[-1]["keyed_from"] not in (None, keyed_from):
        return (f"re-forged: the first keyed entry is {keyed_from} but the anchor written "
                f"{anchors[-1]['at']} says {anchors[-1]['keyed_from']}")
    return ""
