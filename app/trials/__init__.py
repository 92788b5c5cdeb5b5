"""Trials, visit schedules, sites and subjects."""

from flask import Blueprint

bp = Blueprint("trials", __name__)

from app.trials import site_views, subject_views, views  # noqa: E402, F401
