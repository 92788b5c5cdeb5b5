"""The devices domain's public entry point: the only module other domains import."""

from app.devices.exports import shipment_device_story
from app.devices.models import DEVICE_STATES, Device, ShipmentDevice
from app.devices.services.devices import check_usable, find_by_serial, move, refusal
from app.devices.services.shipping import (
    add_device,
    dispatch,
    is_device_serial,
    lines_of,
    pick,
    receive,
    refuse_device_serial,
)
from app.devices.states import DEVICE, UNUSABLE

__all__ = [
    "DEVICE", "DEVICE_STATES", "UNUSABLE", "Device", "ShipmentDevice", "add_device",
    "check_usable", "dispatch", "find_by_serial", "is_device_serial", "lines_of", "move", "pick",
    "receive", "refusal", "refuse_device_serial", "shipment_device_story",
]
