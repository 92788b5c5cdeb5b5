"""The one Huey instance: SQLite file by default, Redis when REDIS_URL is set; same tasks.

The consumer runs ``huey_consumer app.jobs.queue.huey``; every task body runs inside a Flask
application context (``in_app_context``), built once per consumer process from APP_CONFIG.
Tests set ``huey.immediate = True`` so tasks run inline inside the test's own app context.
"""

import os
from functools import wraps
from pathlib import Path

from huey import RedisHuey, SqliteHuey

ROOT = Path(__file__).resolve().parent.parent.parent


def make_huey():
    """Build the queue from the environment (REDIS_URL, JOBS_QUEUE_FILE)."""
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        # A Redis that is down answers at once; one that does not answer stops waiting soon.
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(redis_url, socket_connect_timeout=2)
        return RedisHuey("ensayo", connection_pool=pool, utc=True)
    filename = os.environ.get("JOBS_QUEUE_FILE", str(ROOT / "instance" / "jobs-queue.db"))
    Path(filename).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("ensayo", filename=filename, utc=True)


huey = make_huey()

_APP = None


def consumer_app():
    """Return the Flask app of this consumer process (built on first use)."""
    global _APP
    if _APP is None:
        from app import create_app

        _APP = create_app(os.environ.get("APP_CONFIG", "production"), migrations=False)
    return _APP


def in_app_context(function):
    """Run a task body inside an application context (the test's own one when inline)."""

    @wraps(function)
    def wrapped(*args, **kwargs):
        from flask import has_app_context

        if has_app_context():
            return function(*args, **kwargs)
        with consumer_app().app_context():
            return function(*args, **kwargs)

    return wrapped


def queue_reachable():
    """Return True when the queue's storage answers (always, when tasks run inline)."""
    if huey.immediate:
        return True
    try:
        huey.storage.queue_size()
    except Exception:  # noqa: BLE001 - redis, sqlite: any failure means "not reachable"
        return False
    return True


def progress_key(job_id):
    """Return the key under which a running job's rows done are kept."""
    return f"job-progress:{job_id}"




# The modules that declare tasks, periodic ones included: imported here so the consumer knows
# every task as soon as it loads the queue.
TASK_MODULES = ("app.jobs.tasks", "app.jobs.heartbeat", "app.audit.tasks", "app.alerts.tasks")


def import_task_modules():
    """Import every module in TASK_MODULES (idempotent)."""
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)


import_task_modules()
