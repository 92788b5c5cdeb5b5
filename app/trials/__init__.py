"""Trials, visit schedules, sites and subjects."""

from flask import Blueprint

bp = Blueprint("trials", __name__)

from app.trials import views  # noqa: E402, F401
