"""Background jobs: the Huey queue, exports that run as jobs, "My downloads"."""

from app.jobs import heartbeat  # noqa: E402, F401 - the consumer schedules its periodic task
