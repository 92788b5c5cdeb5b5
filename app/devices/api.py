"""The devices domain's public entry point: the only module other domains import."""

from app.devices.exports import shipment_device_story
from app.devices.models import DEVICE_STATES, Device, DeviceModel, ShipmentDevice
from app.devices.services.devices import (
    check_usable,
    create_device,
    create_model,
    destroy_for_batch,
    find_by_serial,
    move,
    refusal,
)
from app.devices.services.shipping import (
    add_device,
    close_receipt,
    dispatch,
    is_device_serial,
    lines_of,
    pick,
    pick_scanned,
    picked_count,
    receipt_content,
    receive,
    receive_scanned,
    refuse_device_serial,
    unscanned_at_receipt,
)
from app.devices.states import DEVICE, UNUSABLE

__all__ = [
    "DEVICE", "DEVICE_STATES", "UNUSABLE", "Device", "DeviceModel", "ShipmentDevice",
    "add_device", "check_usable", "close_receipt", "create_device", "create_model",
    "destroy_for_batch", "dispatch",
    "find_by_serial", "is_device_serial",
    "lines_of", "move", "pick", "pick_scanned", "picked_count", "receipt_content", "receive",
    "receive_scanned", "refusal", "refuse_device_serial", "shipment_device_story",
    "unscanned_at_receipt",
]
