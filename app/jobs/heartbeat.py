"""The job consumer's heartbeat: a periodic task stamps the time in the queue's own store.

``/healthz`` reads ``heartbeat_age()``; a consumer that stopped (or never started) leaves the
stamp to grow old. The stamp lives in Huey's store (SQLite file or Redis), which every web
server of a deployment shares with the consumer.
"""

import time

from huey import crontab

from app.jobs.queue import huey

HEARTBEAT_KEY = "ensayo:consumer-heartbeat"


def record_heartbeat(now=None):
    """Store the current time as the consumer's latest sign of life."""
    huey.put(HEARTBEAT_KEY, time.time() if now is None else now)


@huey.periodic_task(crontab(minute="*"), name="jobs.heartbeat")
def heartbeat():
    """Stamp the heartbeat once a minute (runs in the consumer)."""
    record_heartbeat()


def heartbeat_age(now=None):
    """Return the seconds since the consumer's last heartbeat, or None when it never beat."""
    stamp = huey.get(HEARTBEAT_KEY, peek=True)
    if stamp is None:
        return None
    return max(0.0, (time.time() if now is None else now) - float(stamp))
