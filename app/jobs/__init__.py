"""Background jobs: the Huey queue, exports that run as jobs, "My downloads"."""

from flask import Blueprint

bp = Blueprint("jobs", __name__)

from app.jobs import heartbeat, views  # noqa: E402, F401 - heartbeat: the consumer's periodic task
