"""Log-in, log-out, passwords and invitations."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import loader, views  # noqa: E402, F401
