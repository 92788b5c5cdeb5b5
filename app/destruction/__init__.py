"""Returns kept apart, reconciliation, sponsor authorisation, destruction and its certificate."""

from flask import Blueprint

bp = Blueprint("destruction", __name__)

from app.destruction import views  # noqa: E402, F401
