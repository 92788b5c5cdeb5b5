"""Shipments and the cold chain: orders, picking, dispatch, logger data, receipt."""

from flask import Blueprint

bp = Blueprint("shipments", __name__)

from app.shipments import views  # noqa: E402, F401
