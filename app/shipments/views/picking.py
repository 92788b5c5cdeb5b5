"""Order (propose kits), pick by scan, finish picking and pack a shipment."""

from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.permissions import require
from app.extensions import db
from app.shipments import bp
from app.shipments.forms import PackForm, ScanForm
from app.shipments.services.picking import (
    finish_picking,
    pack_shipment,
    pick_kit,
    propose_kits,
)
from app.shipments.views.orders import render_shipment, shipment_or_404, shipment_url


@bp.route("/<int:shipment_id>/order", methods=["POST"])
@require("shipments.manage")
def order_shipment(shipment_id):
    """Order a draft: propose kits first-expiry-first-out."""
    shipment = shipment_or_404(shipment_id)
    return perform(lambda: propose_kits(db.session, shipment, by=current_user),
                   success=lambda n: _("%(n)s kits proposed. Scan each one to pick it.", n=n)
                   if n else _("Ordered. Scan each device to pick it."),
                   next_url=shipment_url(shipment, "#kits"))


@bp.route("/<int:shipment_id>/pick", methods=["POST"])
@require("shipments.manage")
def pick(shipment_id):
    """Confirm one proposed kit by scan (the field is emptied for the next scan)."""
    shipment = shipment_or_404(shipment_id)
    form = ScanForm()
    return perform(lambda: pick_kit(db.session, shipment, form.kit_number.data,
                                    by=current_user), form=form,
                   success=_picked,
                   next_url=shipment_url(shipment, "#pick"))


def _picked(line):
    if hasattr(line, "device"):  # a device scanned in the same field
        return _("Device %(serial)s picked.", serial=line.device.serial)
    return _("Kit %(kit)s picked.", kit=line.kit.kit_number)


@bp.route("/<int:shipment_id>/finish-picking", methods=["POST"])
@require("shipments.manage")
def finish_pick(shipment_id):
    """End picking; unpicked proposals are dropped."""
    shipment = shipment_or_404(shipment_id)
    return perform(lambda: finish_picking(db.session, shipment, by=current_user),
                   success=lambda n: _("Picking finished with %(n)s kits.", n=n),
                   next_url=shipment_url(shipment))


@bp.route("/<int:shipment_id>/pack", methods=["POST"])
@require("shipments.manage")
def pack(shipment_id):
    """Record boxes and loggers."""
    shipment = shipment_or_404(shipment_id)
    form = PackForm()
    return perform(lambda: pack_shipment(db.session, shipment, boxes=form.boxes.data,
                                         box_ids=form.box_ids.data,
                                         logger_ids=form.logger_ids.data, by=current_user),
                   form=form, render=lambda: render_shipment(shipment, pack=form),
                   success=_("Shipment packed. Print the packing list and the label."),
                   next_url=shipment_url(shipment))
