"""Device models and devices: list, register, show, move through their states."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.listing import build_listing, where_choice_args, where_id_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.devices import bp
from app.devices.forms import DeviceForm, DeviceModelForm, MoveForm
from app.devices.models import (
    DEVICE_KINDS,
    DEVICE_STATES,
    CalibrationPlan,
    CalibrationRecord,
    Device,
    DeviceEvent,
    DeviceModel,
    ImpactAssessment,
    ShipmentDevice,
)
from app.devices.queries import visible_devices
from app.devices.services import devices as service
from app.devices.states import BATCH_ONLY, DEVICE
from app.extensions import db
from app.trials.api import Trial, site_choices, visible_trials, within_sponsors


def device_or_404(device_id, permission="devices.view"):
    """Return a device the user may see, or 404."""
    device = db.session.scalar(visible_devices(current_user, permission)
                               .where(Device.id == device_id))
    if device is None:
        abort(404)
    return device


@bp.route("/")
@require("devices.view")
def list_devices():
    """Devices with search, filters, sort and pages."""
    stmt = visible_devices(current_user)
    stmt = where_choice_args(stmt, request.args, {
        "status": (Device.status, DEVICE_STATES), "kind": (DeviceModel.kind, DEVICE_KINDS)})
    stmt = where_id_args(stmt, request.args, {"site": Device.site_id, "trial": Device.trial_id})
    listing = build_listing(stmt, sorts={"serial": Device.serial, "status": Device.status,
                                         "model": DeviceModel.model},
                            default_sort="serial",
                            search_columns=(Device.serial, DeviceModel.model,
                                            DeviceModel.manufacturer, Device.lot))
    return render_template("devices/list.html", listing=listing,
                           sites=site_choices(db.session, current_user),
                           trials=[(t.id, t.protocol_code) for t in db.session.scalars(
                               visible_trials(current_user, "devices.view")
                               .order_by(Trial.protocol_code))])


@bp.route("/models/new", methods=["GET", "POST"])
@require("devices.manage")
def new_model():
    """Register a device model."""
    form = DeviceModelForm()
    return perform(lambda: service.create_model(
        db.session, manufacturer=form.manufacturer.data, model=form.model.data,
        device_class=form.device_class.data, kind=form.kind.data, udi_di=form.udi_di.data,
        investigational=form.investigational.data,
        needs_calibration=form.needs_calibration.data),
        form=form, success=_("Device model saved."), next_url=url_for("devices.new_device"),
        render=lambda: render_template("devices/model_form.html", form=form))


@bp.route("/new", methods=["GET", "POST"])
@require("devices.manage")
def new_device():
    """Register a device of a model."""
    form = DeviceForm()
    form.model_id.choices = [(m.id, f"{m.manufacturer} {m.model}") for m in db.session.scalars(
        select(DeviceModel).order_by(DeviceModel.manufacturer, DeviceModel.model))]
    form.trial_id.choices = [(0, "—")] + [(t.id, t.protocol_code) for t in db.session.scalars(
        within_sponsors(select(Trial), current_user, Trial.id).order_by(Trial.protocol_code))]

    def create():
        return service.create_device(
            db.session, model=get_or_404(DeviceModel, form.model_id.data),
            serial=form.serial.data, owner=form.owner.data, lot=form.lot.data,
            expires_on=form.expires_on.data, trial_id=form.trial_id.data or None)

    return perform(create, form=form, success=_("Device registered."),
                   next_url=lambda device: url_for("devices.show_device", device_id=device.id),
                   render=lambda: render_template("devices/device_form.html", form=form))


@bp.route("/<int:device_id>")
@require("devices.view")
def show_device(device_id):
    """A device: where it is, its plans and calibrations, uses, shipments and history."""
    device = device_or_404(device_id)
    session = db.session
    plans = session.scalars(select(CalibrationPlan).where(
        CalibrationPlan.device_id == device.id).order_by(CalibrationPlan.id)).all()
    records = session.scalars(select(CalibrationRecord).where(
        CalibrationRecord.device_id == device.id)
        .order_by(CalibrationRecord.calibrated_on.desc()).limit(50)).all()
    events = session.scalars(select(DeviceEvent).where(DeviceEvent.device_id == device.id)
                             .order_by(DeviceEvent.occurred_on.desc(), DeviceEvent.id.desc())
                             .limit(50)).all()
    shipments = session.scalars(select(ShipmentDevice).where(
        ShipmentDevice.device_id == device.id).order_by(ShipmentDevice.id.desc())).all()
    impacts = session.scalars(select(ImpactAssessment).where(
        ImpactAssessment.device_id == device.id).order_by(ImpactAssessment.id.desc())).all()
    return render_template(
        "devices/device.html", device=device, plans=plans, records=records, events=events,
        shipments=shipments, impacts=impacts,
        moves=[t for t in DEVICE.available(device, current_user) if t.event not in BATCH_ONLY],
        refusal=service.refusal(session, device, "use"), move_form=MoveForm(),
        entries=history_of(session, device))


@bp.route("/<int:device_id>/move", methods=["POST"])
@require("devices.view")
def move_device(device_id):
    """Apply one of the device's available moves (the machine checks the permission)."""
    device = device_or_404(device_id)
    form = MoveForm()
    back = url_for("devices.show_device", device_id=device.id)
    return perform(lambda: service.move(db.session, device, form.event.data, by=current_user,
                                        reason=form.reason.data,
                                        values={"status_reason": form.reason.data or None}),
                   form=form, success=_("Device moved."), next_url=back)
