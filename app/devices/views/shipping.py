"""Devices on a shipment: add, pick and receive them by serial."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.permissions import require
from app.devices import bp
from app.devices.forms import ScanForm
from app.devices.services import shipping as service
from app.extensions import db


def shipment_or_404(shipment_id, permission):
    """Return a shipment whose destination the user may see, or 404."""
    from app.shipments.models import Shipment
    from app.stock.api import Location

    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        abort(404)
    destination = db.session.get(Location, shipment.destination_id)
    if destination.site_id is not None and not current_user.sees_site(
            permission, destination.site_id):
        abort(404)
    return shipment


def render_lines(shipment, form=None):
    """Render the shipment's device lines with the scan form."""
    return render_template("devices/shipment.html", shipment=shipment,
                           lines=service.lines_of(db.session, shipment.id),
                           form=form or ScanForm())


@bp.route("/shipments/<int:shipment_id>")
@require("devices.view")
def shipment_devices(shipment_id):
    """The devices on a shipment."""
    return render_lines(shipment_or_404(shipment_id, "devices.view"))


def _scan(shipment_id, permission, call, with_form=True):
    shipment = shipment_or_404(shipment_id, permission)
    form = ScanForm()
    return perform(lambda: call(shipment, form), form=form if with_form else None,
                   success=_("Done."),
                   next_url=url_for("devices.shipment_devices", shipment_id=shipment.id),
                   render=(lambda: render_lines(shipment, form)) if with_form else None)


@bp.route("/shipments/<int:shipment_id>/add", methods=["POST"])
@require("devices.manage")
def add_to_shipment(shipment_id):
    """Put a device on the shipment by its serial."""
    return _scan(shipment_id, "devices.manage", lambda shipment, form: service.add_device(
        db.session, shipment, form.serial.data, current_user))


@bp.route("/shipments/<int:shipment_id>/pick", methods=["POST"])
@require("devices.manage")
def pick_device(shipment_id):
    """Scan a device at picking."""
    return _scan(shipment_id, "devices.manage", lambda shipment, form: service.pick(
        db.session, shipment, form.serial.data, current_user))


@bp.route("/shipments/<int:shipment_id>/dispatch", methods=["POST"])
@require("devices.manage")
def dispatch_devices(shipment_id):
    """The picked devices leave with the shipment."""
    return _scan(shipment_id, "devices.manage", lambda shipment, form: service.dispatch(
        db.session, shipment, current_user), with_form=False)


@bp.route("/shipments/<int:shipment_id>/receive", methods=["POST"])
@require("devices.use")
def receive_device(shipment_id):
    """Scan a device at receipt."""
    return _scan(shipment_id, "devices.use", lambda shipment, form: service.receive(
        db.session, shipment, form.serial.data, current_user,
        outcome=request.form.get("outcome") or "received"))
