"""Blinding: kit arms, randomisation lists, randomising subjects, emergency code break."""

from flask import Blueprint

bp = Blueprint("blinding", __name__)

from app.blinding import views  # noqa: E402, F401
