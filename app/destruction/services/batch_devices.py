"""Devices in destruction batches (issue 16): gathered by serial or all covered, destroyed with
the batch's kits in its executing transaction. Devices are reached only through app.devices.api.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.services import record_event
from app.core.errors import DomainError
from app.destruction.models import DestructionItem
from app.destruction.queries import first_uncovered
from app.devices.api import Device, DeviceModel, destroy_for_batch, find_by_serial


def scope_refusal(batch):
    """Return why the batch cannot take devices at all, or None.

    Devices are destroyed at the depot by a waste contractor. An authorisation limited to
    sites, lots, a kit range or a reconciliation's kits names kits only: it covers no device;
    an authorisation of the whole trial covers the trial's devices.
    """
    if batch.place_kind == "site":
        return _("Devices are destroyed at the depot by a waste contractor, not in an on-site "
                 "batch.")
    auth = batch.authorisation
    if auth.sites or auth.lots or auth.kit_from or auth.reconciliation_id:
        return _("Authorisation %(ref)s is limited to sites, lots, kit ranges or a "
                 "reconciliation's kits; it covers no device. Devices need an authorisation "
                 "of the whole trial.", ref=auth.reference)
    return None


def covered_devices(session, batch, free_only=True):
    """Return a select of (id, serial) of the devices the batch may destroy now.

    Pending destruction, of the batch's trial, back at the depot (no site), and (free_only) in
    no batch yet; nothing when the authorisation does not cover devices.
    """
    stmt = (select(Device.id, Device.serial)
            .where(Device.status == "pending_destruction", Device.trial_id == batch.trial_id,
                   Device.site_id.is_(None))
            .order_by(Device.serial))
    if scope_refusal(batch) is not None:
        stmt = stmt.where(Device.id.is_(None))
    if free_only:
        stmt = stmt.where(Device.id.not_in(select(DestructionItem.device_id).where(
            DestructionItem.device_id.is_not(None))))
    return stmt


def explain_refusal(session, batch, serial):
    """Return, in plain words, why a device cannot be destroyed in this batch."""
    device = find_by_serial(session, serial)
    if device is None:
        return _("There is no device %(serial)s.", serial=serial)
    serial = device.serial
    if device.status == "destroyed":
        return _("Device %(serial)s has already been destroyed.", serial=serial)
    if device.status != "pending_destruction":
        return _("Device %(serial)s is not pending destruction; it cannot be destroyed.",
                 serial=serial)
    if device.trial_id != batch.trial_id:
        return _("Device %(serial)s is not a device of trial %(trial)s; it is outside "
                 "authorisation %(ref)s.", serial=serial, trial=batch.trial.protocol_code,
                 ref=batch.authorisation.reference)
    if device.site_id is not None:
        return _("Device %(serial)s is still at site %(site)s; it is destroyed once back at "
                 "the depot.", serial=serial, site=device.site.site_number)
    refusal = scope_refusal(batch)
    if refusal:
        return refusal
    if session.scalar(select(DestructionItem.id).where(DestructionItem.device_id == device.id,
                                                       DestructionItem.batch_id != batch.id)):
        return _("Device %(serial)s is already in a destruction batch.", serial=serial)
    return _("Device %(serial)s cannot be destroyed in this batch.", serial=serial)


def add_devices(session, batch, serials=None):
    """Add covered devices to a draft batch (all of them, or those scanned); return how many."""
    if batch.status != "draft":
        raise DomainError(_("Devices are added while the batch is a draft."), "serials")
    refusal = scope_refusal(batch)
    if refusal:
        raise DomainError(refusal, "serials")
    stmt = covered_devices(session, batch)
    wanted = [s.strip()[:60] for s in serials or () if s.strip()]
    if wanted:
        rows = session.execute(stmt.where(func.lower(Device.serial).in_(
            [s.lower() for s in wanted]))).all()
        found = {row.serial.lower() for row in rows}
        for serial in wanted:
            if serial.lower() not in found:
                raise DomainError(explain_refusal(session, batch, serial), "serials")
    else:
        rows = session.execute(stmt).all()
    if not rows:
        raise DomainError(_("No device of this trial is pending destruction at the depot."),
                          "serials")
    for row in rows:
        session.add(DestructionItem(batch_id=batch.id, kind="device", device_id=row.id,
                                    reference=row.serial, units=1))
    session.flush()
    batch.item_count = session.scalar(select(func.count()).where(
        DestructionItem.batch_id == batch.id))
    record_event(session, "destruction_devices_added", "destruction_batch", batch.id,
                 label=batch.number,
                 changes={"devices": (None, ", ".join(row.serial for row in rows))})
    session.flush()
    return len(rows)


def check_devices(session, batch):
    """Refuse execution, naming the serial, when a device of the batch is no longer covered."""
    covered = covered_devices(session, batch, free_only=False).with_only_columns(Device.id) \
        .order_by(None)
    bad = first_uncovered(session, batch, "device", DestructionItem.device_id, covered)
    if bad is not None:
        raise DomainError(explain_refusal(session, batch, bad))


def destroy_devices(session, batch, *, by):
    """Move every device of the batch to destroyed (audited one by one); return how many."""
    devices = session.scalars(select(Device).join(
        DestructionItem, DestructionItem.device_id == Device.id)
        .where(DestructionItem.batch_id == batch.id).order_by(Device.serial)).all()
    for device in devices:
        destroy_for_batch(session, device, by=by, batch_number=batch.number)
    return len(devices)


def device_rows(session, batch):
    """Return [(model, serial, UDI-DI)] of the batch's devices, in serial order."""
    return [(f"{manufacturer} {model}", serial, udi or "—")
            for manufacturer, model, serial, udi in session.execute(
                select(DeviceModel.manufacturer, DeviceModel.model, Device.serial,
                       DeviceModel.udi_di)
                .join(Device, Device.model_id == DeviceModel.id)
                .join(DestructionItem, DestructionItem.device_id == Device.id)
                .where(DestructionItem.batch_id == batch.id).order_by(Device.serial))]


def counts(session, batch):
    """Return {"kit": n, "device": m} of the batch's items."""
    found = dict(session.execute(select(DestructionItem.kind, func.count()).where(
        DestructionItem.batch_id == batch.id).group_by(DestructionItem.kind)).all())
    return {"kit": found.get("kit", 0), "device": found.get("device", 0)}
