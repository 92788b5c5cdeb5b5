"""Order, pick by scan, pack, dispatch, deliver, cancel and close a shipment."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.permissions import require
from app.esign.services import SigningError
from app.extensions import db
from app.shipments import bp
from app.shipments.dispatch import dispatch_shipment, mark_delivered
from app.shipments.forms import CancelForm, DispatchForm, PackForm, ScanForm
from app.shipments.picking import finish_picking, pack_shipment, pick_kit, propose_kits
from app.shipments.services import ShipmentError, cancel_shipment, close_shipment
from app.shipments.views import visible_shipment_or_404


def first_error(form):
    """Return the first validation message of a form, for a flash."""
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else ""
        if field == "csrf_token":
            return _("The form had expired; please send it again.")
        return f"{label}: {errors[0]}" if label else errors[0]
    return _("Please correct the form.")


def back_to(shipment, anchor=""):
    """Redirect to the shipment page (at an anchor)."""
    return redirect(url_for("shipments.show_shipment", shipment_id=shipment.id) + anchor)


def run(shipment, action, success, anchor="", form=None):
    """Validate the form, call a service, commit and flash; or flash why nothing changed.

    A refused signature is committed (esign keeps the failed attempt and any lock); any other
    refusal rolls the whole request back.
    """
    if form is not None and not form.validate_on_submit():
        flash(first_error(form), "danger")
        return back_to(shipment, anchor)
    try:
        result = action()
    except SigningError as error:
        db.session.commit()
        flash(str(error), "danger")
    except ShipmentError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(success(result) if callable(success) else success, "success")
    return back_to(shipment, anchor)


def _shipment(shipment_id):
    return visible_shipment_or_404(shipment_id)


@bp.route("/<int:shipment_id>/order", methods=["POST"])
@require("shipments.manage")
def order_shipment(shipment_id):
    """Order a draft: propose kits first-expiry-first-out."""
    shipment = _shipment(shipment_id)
    return run(shipment, lambda: propose_kits(db.session, shipment),
               lambda n: _("%(n)s kits proposed. Scan each one to pick it.", n=n), "#kits")


@bp.route("/<int:shipment_id>/pick", methods=["POST"])
@require("shipments.manage")
def pick(shipment_id):
    """Confirm one proposed kit by scan."""
    shipment = _shipment(shipment_id)
    form = ScanForm()
    return run(shipment, lambda: pick_kit(db.session, shipment, form.kit_number.data,
                                          by=current_user),
               lambda line: _("Kit %(kit)s picked.", kit=line.kit.kit_number), "#pick", form)


@bp.route("/<int:shipment_id>/finish-picking", methods=["POST"])
@require("shipments.manage")
def finish_pick(shipment_id):
    """End picking; unpicked proposals are dropped."""
    shipment = _shipment(shipment_id)
    return run(shipment, lambda: finish_picking(db.session, shipment),
               lambda n: _("Picking finished with %(n)s kits.", n=n))


@bp.route("/<int:shipment_id>/pack", methods=["POST"])
@require("shipments.manage")
def pack(shipment_id):
    """Record boxes and loggers."""
    shipment = _shipment(shipment_id)
    form = PackForm()
    return run(shipment, lambda: pack_shipment(db.session, shipment, boxes=form.boxes.data,
                                               box_ids=form.box_ids.data,
                                               logger_ids=form.logger_ids.data),
               _("Shipment packed. Print the packing list and the label."), form=form)


@bp.route("/<int:shipment_id>/dispatch", methods=["POST"])
@require("shipments.manage")
def dispatch(shipment_id):
    """Hand the shipment to the courier."""
    shipment = _shipment(shipment_id)
    form = DispatchForm()
    return run(shipment, lambda: dispatch_shipment(
        db.session, shipment, courier=form.courier.data,
        tracking_number=form.tracking_number.data, expected_arrival=form.expected_arrival.data,
        logger_ids=form.logger_ids.data, by=current_user),
        lambda n: _("Shipment dispatched: %(n)s kits are in transit.", n=n), "#dispatch", form)


@bp.route("/<int:shipment_id>/delivered", methods=["POST"])
@require("shipments.manage")
def delivered(shipment_id):
    """Record the courier's delivery."""
    shipment = _shipment(shipment_id)
    return run(shipment, lambda: mark_delivered(db.session, shipment),
               _("Delivery recorded. The site can now receive the shipment."))


@bp.route("/<int:shipment_id>/cancel", methods=["POST"])
@require("shipments.manage")
def cancel(shipment_id):
    """Cancel a shipment that has not left."""
    shipment = _shipment(shipment_id)
    form = CancelForm()
    return run(shipment, lambda: cancel_shipment(db.session, shipment, form.reason.data),
               _("Shipment cancelled; its kits are free again."), form=form)


@bp.route("/<int:shipment_id>/close", methods=["POST"])
@require("shipments.manage")
def close(shipment_id):
    """Close a received shipment."""
    shipment = _shipment(shipment_id)
    return run(shipment, lambda: close_shipment(db.session, shipment),
               _("Shipment closed."))

