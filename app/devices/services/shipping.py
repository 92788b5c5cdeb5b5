"""Devices on shipments: added, picked and received by serial like kits."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.models import utcnow
from app.devices.models import ShipmentDevice
from app.devices.services.accountability import record_receipt
from app.devices.services.devices import check_usable, find_by_serial, move
from app.stock.api import Location


def _device(session, serial, field="serial"):
    device = find_by_serial(session, serial)
    if device is None:
        raise DomainError(_("No device has the serial %(serial)s.", serial=serial), field)
    return device


def add_device(session, shipment, serial, by):
    """Put a device on a shipment that is still being prepared."""
    if shipment.status not in ("draft", "ordered", "picked"):
        raise DomainError(_("Devices can be added only before the shipment is packed."),
                          "serial")
    device = _device(session, serial)
    if device.status not in ("in_stock", "allocated", "returned"):
        check_usable(session, device, "ship", field="serial")
        raise DomainError(_("Device %(serial)s is not in stock.", serial=device.serial),
                          "serial")
    check_usable(session, device, "ship", field="serial")
    if session.scalar(select(ShipmentDevice.id).where(
            ShipmentDevice.shipment_id == shipment.id, ShipmentDevice.device_id == device.id)):
        raise DomainError(_("Device %(serial)s is on this shipment already.",
                            serial=device.serial), "serial")
    line = ShipmentDevice(shipment_id=shipment.id, device_id=device.id, status="proposed")
    session.add(line)
    session.flush()
    return line


def lines_of(session, shipment_id):
    """Return the device lines of a shipment, in the order they were added."""
    return session.scalars(select(ShipmentDevice).where(
        ShipmentDevice.shipment_id == shipment_id).order_by(ShipmentDevice.id)).all()


def _line(session, shipment, serial, states):
    device = _device(session, serial)
    line = session.scalar(select(ShipmentDevice).where(
        ShipmentDevice.shipment_id == shipment.id, ShipmentDevice.device_id == device.id))
    if line is None:
        raise DomainError(_("Device %(serial)s is not on this shipment.", serial=device.serial),
                          "serial")
    if line.status not in states:
        raise DomainError(_("Device %(serial)s was scanned already.", serial=device.serial),
                          "serial")
    return line


def pick(session, shipment, serial, by):
    """Scan a device at picking: it must be the one on the line and still usable."""
    line = _line(session, shipment, serial, ("proposed",))
    check_usable(session, line.device, "ship", field="serial")
    line.status, line.picked_at = "picked", utcnow()
    session.flush()
    return line


def dispatch(session, shipment, by):
    """Every picked device leaves with the shipment (called when it is dispatched)."""
    for line in lines_of(session, shipment.id):
        if line.status == "picked":
            move(session, line.device, "ship", by=by)
    return shipment


def receive(session, shipment, serial, by, outcome="received", note=None):
    """Scan a device at receipt: it arrives at the destination site (or depot)."""
    line = _line(session, shipment, serial, ("picked",))
    if line.device.status != "in_transit":
        raise DomainError(_("Device %(serial)s has not left with this shipment.",
                          serial=line.device.serial), "serial")
    line.status, line.received_at, line.note = outcome, utcnow(), note
    destination = session.get(Location, shipment.destination_id)
    device = line.device
    if destination.site_id is not None:
        move(session, device, "receive", by=by,
             values={"site_id": destination.site_id, "location_id": destination.id,
                     "trial_id": device.trial_id or shipment.trial_id})
        record_receipt(session, device, destination.site_id, by)
    else:
        move(session, device, "receive_back", by=by,
             values={"site_id": None, "location_id": destination.id})
    if outcome == "damaged":
        move(session, device, "quarantine", by=by, reason=note or _("Damaged at receipt"))
    return line


def is_device_serial(session, code):
    """Return True when a scanned code is a device serial (kit fields refuse it clearly)."""
    return find_by_serial(session, code) is not None


def refuse_device_serial(session, code, field):
    """Raise a clear refusal when a device serial was scanned into a kit field."""
    device = find_by_serial(session, code)
    if device is not None:
        raise DomainError(_("%(serial)s is the serial of a device, not a kit number: scan it "
                            "in the device field.", serial=device.serial), field)
