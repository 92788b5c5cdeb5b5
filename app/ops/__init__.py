"""Operations: the health check and backups (database, stored files, manifest)."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from app.ops import views  # noqa: E402, F401
