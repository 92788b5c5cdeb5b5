"""Shipments and the cold chain: orders, picking, dispatch, logger data, receipt."""

from flask import Blueprint

bp = Blueprint("shipments", __name__)

from app.shipments import (  # noqa: E402, F401
    views,
    views_coldchain,
    views_flow,
    views_pdf,
    views_resupply,
)
