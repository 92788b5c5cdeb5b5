"""Medical devices: supply to sites, accountability, calibration plans, records and impact."""

from flask import Blueprint

bp = Blueprint("devices", __name__)

from app.devices.views import (  # noqa: E402, F401
    accountability,
    calibration,
    devices,
    impact,
    shipping,
)
