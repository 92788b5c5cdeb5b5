"""What /healthz checks: the database answers, the job consumer beats, the storage is there."""

import logging

from flask import current_app
from sqlalchemy import text

from app.extensions import db

log = logging.getLogger(__name__)


def _database():
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception:  # noqa: BLE001 - any failure means the database is down for us
        log.exception("health: database")
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001, S110
            pass
        return {"ok": False, "error": "the database does not answer"}


def _jobs():
    from app.jobs.heartbeat import heartbeat_age
    from app.jobs.queue import huey

    if huey.immediate:
        return {"ok": True, "mode": "inline"}
    try:
        age = heartbeat_age()
    except Exception:  # noqa: BLE001 - the queue's store (Redis, SQLite file) is unreachable
        log.exception("health: job queue")
        return {"ok": False, "error": "the job queue cannot be reached"}
    if age is None:
        return {"ok": False, "error": "the job consumer has never reported"}
    limit = current_app.config["JOBS_HEARTBEAT_MAX_AGE"]
    result = {"ok": age <= limit, "heartbeat_age_seconds": round(age, 1)}
    if not result["ok"]:
        result["error"] = f"no heartbeat for more than {limit} seconds"
    return result


def _storage():
    from app.files.storage import get_storage

    try:
        storage = get_storage()
        storage.check()
        return {"ok": True, "kind": storage.kind}
    except Exception:  # noqa: BLE001 - any failure means the files cannot be served
        log.exception("health: storage")
        return {"ok": False, "error": "the file storage cannot be reached"}


def check_health():
    """Return the health report: status, what is down, and each check."""
    checks = {"database": _database(), "jobs": _jobs(), "storage": _storage()}
    down = [name for name, check in checks.items() if not check["ok"]]
    return {"status": "unavailable" if down else "ok", "down": down, "checks": checks}
