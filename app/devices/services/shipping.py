"""Devices on shipments: added, picked and received by serial like kits."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.models import utcnow
from app.devices.models import ShipmentDevice
from app.devices.services.accountability import record_receipt
from app.devices.services.devices import check_usable, find_by_serial, move
from app.stock.api import Location, parse_scan

RECEIVABLE = ("shipped", "delivered")


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
    other = session.scalar(select(ShipmentDevice).where(
        ShipmentDevice.device_id == device.id, ShipmentDevice.status.in_(("proposed", "picked")),
        ShipmentDevice.shipment_id != shipment.id))
    if other is not None and other.shipment.status not in ("received", "closed", "cancelled"):
        raise DomainError(_("Device %(serial)s is already on shipment %(other)s.",
                            serial=device.serial, other=other.shipment.number), "serial")
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
    if shipment.status not in RECEIVABLE:
        raise DomainError(_("Devices are received once the shipment has left and before its "
                            "receipt is signed."), "serial")
    line = _line(session, shipment, serial, ("picked",))
    if line.device.status != "in_transit":
        raise DomainError(_("Device %(serial)s has not left with this shipment.",
                          serial=line.device.serial), "serial")
    line.status, line.received_at, line.note = outcome, utcnow(), note
    destination = session.get(Location, shipment.destination_id)
    device = line.device
    at_site = destination.site_id is not None
    values = ({"site_id": destination.site_id, "location_id": destination.id,
               "trial_id": device.trial_id or shipment.trial_id} if at_site
              else {"site_id": None, "location_id": destination.id})
    if outcome == "damaged":
        move(session, device, "receive_damaged", by=by, values=values,
             reason=note or _("Damaged at receipt"))
    else:
        move(session, device, "receive" if at_site else "receive_back", by=by, values=values)
    if at_site:
        record_receipt(session, device, destination.site_id, by)
    return line


def scanned_device(session, scanned, field="kit_number"):
    """Return the device a scan names (its serial, or a GS1 UDI whose serial (21) is it).

    None when the scan names no device. A UDI whose device identifier (01) is not the one of
    the device's model is refused: the label is not this device's.
    """
    serial, details = parse_scan(scanned)
    device = find_by_serial(session, serial) if serial else None
    if device is None:
        return None
    udi_di = (device.model.udi_di or "").lstrip("0")
    if details.get("gtin") and udi_di and details["gtin"].lstrip("0") != udi_di:
        raise DomainError(_("Device %(serial)s: the code's device identifier %(code)s is not "
                            "its model's UDI-DI %(udi)s. Nothing was recorded.",
                            serial=device.serial, code=details["gtin"],
                            udi=device.model.udi_di), field)
    return device


def pick_scanned(session, shipment, scanned, by):
    """Pick the device a scan in the kit field names; None when it names no device."""
    device = scanned_device(session, scanned)
    if device is None:
        return None
    try:
        return pick(session, shipment, device.serial, by)
    except DomainError as error:
        raise DomainError(error.message, "kit_number") from None


def receive_scanned(session, shipment, scanned, outcome, by):
    """Receive the device a scan in the kit field names; None when it names no device."""
    device = scanned_device(session, scanned)
    if device is None:
        return None
    try:
        return receive(session, shipment, device.serial, by,
                       outcome="damaged" if outcome == "damaged" else "received",
                       note=_("Damaged at receipt") if outcome == "damaged" else None)
    except DomainError as error:
        raise DomainError(error.message, "kit_number") from None


def picked_count(session, shipment_id):
    """Return how many devices are picked (or further) on a shipment."""
    return sum(1 for line in lines_of(session, shipment_id) if line.status != "proposed")


def unscanned_at_receipt(session, shipment_id):
    """Return the device lines that left with the shipment and were not scanned at receipt."""
    return [line for line in lines_of(session, shipment_id) if line.status == "picked"]


def close_receipt(session, shipment, by):
    """At the signed receipt: unscanned devices are missing; return (damaged, missing) lines."""
    lines = lines_of(session, shipment.id)
    missing = [line for line in lines if line.status == "picked"]
    for line in missing:
        line.status = "missing"
    session.flush()
    return [line for line in lines if line.status == "damaged"], missing


def receipt_content(session, shipment_id):
    """Return the device lines the receipt signs: [serial, outcome] (unscanned: missing)."""
    return [[line.device.serial, "missing" if line.status == "picked" else line.status]
            for line in lines_of(session, shipment_id) if line.status != "proposed"]


def is_device_serial(session, code):
    """Return True when a scanned code is a device serial (kit fields refuse it clearly)."""
    return find_by_serial(session, code) is not None


def refuse_device_serial(session, code, field):
    """Raise a clear refusal when a device serial was scanned into a kit field."""
    device = find_by_serial(session, code)
    if device is not None:
        raise DomainError(_("%(serial)s is the serial of a device, not a kit number: scan it "
                            "in the device field.", serial=device.serial), field)
