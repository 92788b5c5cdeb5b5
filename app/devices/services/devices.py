"""Device models and devices: registration, moves through the state machine, refusals."""


from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.devices.models import CalibrationPlan, Device, DeviceModel
from app.devices.states import BATCH_ONLY, DEVICE, UNUSABLE

# Purposes that a device out of calibration or out of service cannot serve.
PURPOSES = {"ship", "allocate", "use"}


def create_model(session, *, manufacturer, model, device_class, kind, udi_di=None,
                 investigational=False, needs_calibration=True):
    """Register a device model; the UDI-DI is unique."""
    udi_di = (udi_di or "").strip() or None
    if udi_di and session.scalar(select(DeviceModel.id).where(DeviceModel.udi_di == udi_di)):
        raise DomainError(_("Another device model has this UDI-DI."), "udi_di")
    record = DeviceModel(manufacturer=manufacturer.strip(), model=model.strip(),
                         device_class=device_class, kind=kind, udi_di=udi_di,
                         investigational=investigational, needs_calibration=needs_calibration)
    session.add(record)
    session.flush()
    return record


def create_device(session, *, model, serial, owner, lot=None, expires_on=None, trial_id=None,
                  location_id=None):
    """Register a device in stock; its serial (or UDI-PI) is unique."""
    serial = (serial or "").strip()
    if not serial:
        raise DomainError(_("Give the serial number or UDI-PI."), "serial")
    if session.scalar(select(Device.id).where(func.lower(Device.serial) == serial.lower())):
        raise DomainError(_("A device with serial %(serial)s exists already.", serial=serial),
                          "serial")
    device = Device(model_id=model.id, serial=serial, owner=owner.strip(), lot=lot or None,
                    expires_on=expires_on, trial_id=trial_id, location_id=location_id,
                    status="in_stock")
    session.add(device)
    session.flush()
    return device


def due_date(session, device):
    """Return the earliest next due date of the device's active plans, or None."""
    return session.scalar(select(func.min(CalibrationPlan.next_due)).where(
        CalibrationPlan.device_id == device.id, CalibrationPlan.active.is_(True)))


def refusal(session, device, purpose, today=None):
    """Return why the device cannot be shipped, allocated or used now, or None."""
    today = today or clock.today()
    if device.status in UNUSABLE:
        return _("Device %(serial)s is %(state)s and cannot be shipped, allocated or used.",
                 serial=device.serial, state=DEVICE.label(device.status))
    if device.calibration_failed:
        return _("Device %(serial)s failed its last calibration; it cannot be shipped, "
                 "allocated or used until it passes one.", serial=device.serial)
    if device.expires_on is not None and device.expires_on < today:
        return _("Device %(serial)s expired on %(date)s.", serial=device.serial,
                 date=format_date(device.expires_on))
    due = due_date(session, device)
    if due is not None and due < today:
        return _("Device %(serial)s is overdue for calibration since %(date)s; it cannot be "
                 "shipped, allocated or used until it is calibrated.", serial=device.serial,
                 date=format_date(due))
    return None


def check_usable(session, device, purpose, today=None, field=None):
    """Raise DomainError saying why the device cannot serve the purpose now."""
    message = refusal(session, device, purpose, today)
    if message:
        raise DomainError(message, field)


def move(session, device, event, *, by=None, reason=None, values=None, today=None):
    """Move a device through the state machine; ship and allocate check calibration first."""
    if event in BATCH_ONLY:
        raise DomainError(_("A device is destroyed only by executing a destruction batch."))
    if event == "set_for_destruction" and device.site_id is not None:
        raise DomainError(_("Device %(serial)s is at site %(site)s; ship it back to the depot "
                            "before setting it aside for destruction.", serial=device.serial,
                            site=device.site.site_number), "reason")
    if event in ("ship", "allocate"):
        check_usable(session, device, event, today)
    apply_transition(session, DEVICE, device, event, by=by, reason=reason, values=values or {})
    session.refresh(device)
    return device


def find_by_serial(session, serial):
    """Return the device with this serial (any case), or None."""
    serial = (serial or "").strip()
    if not serial:
        return None
    return session.scalar(select(Device).where(func.lower(Device.serial) == serial.lower()))


def destroy_for_batch(session, device, *, by, batch_number):
    """Record a device pending destruction as destroyed by an executed destruction batch.

    Called by the destruction domain inside the batch's executing transaction; the device must
    still be pending destruction (the conditional UPDATE refuses it otherwise).
    """
    if device.status != "pending_destruction":
        raise DomainError(_("Device %(serial)s is not pending destruction; it cannot be "
                            "destroyed.", serial=device.serial))
    apply_transition(session, DEVICE, device, "destroy", by=by,
                     values={"status_reason": batch_number})
    return device
