"""Receipt at the destination: scan the kits found, sign; resolve discrepancies."""

from flask import flash
from flask_babel import gettext as _
from flask_babel import ngettext, npgettext
from flask_login import current_user

from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.shipments import bp
from app.shipments.forms import ReceiptScanForm, ReceiveForm, ResolveForm
from app.shipments.models import Discrepancy
from app.shipments.services.receipt import (
    receive_shipment,
    resolve_discrepancy,
    scan_at_receipt,
)
from app.shipments.views.orders import render_shipment, shipment_or_404, shipment_url


@bp.route("/<int:shipment_id>/receive/scan", methods=["POST"])
@require("shipments.receive")
def receipt_scan(shipment_id):
    """Record one kit found in the boxes (the field is emptied for the next scan)."""
    shipment = shipment_or_404(shipment_id)
    form = ReceiptScanForm()
    return perform(lambda: scan_at_receipt(db.session, shipment, form.kit_number.data,
                                           form.outcome.data, by=current_user), form=form,
                   success=_scanned, next_url=shipment_url(shipment, "#receipt"))


def _scanned(result):
    if isinstance(result, Discrepancy):  # a kit that arrived but was not shipped
        flash(result.description + " " + _("A discrepancy is open for logistics."), "warning")
        return None
    if hasattr(result, "device"):  # a device scanned in the same field
        return _("Device %(serial)s: %(outcome)s.", serial=result.device.serial,
                 outcome=_("damaged") if result.status == "damaged" else _("good condition"))
    return _("Kit %(kit)s: %(outcome)s.", kit=result.kit.kit_number,
             outcome=_("damaged") if result.receipt_outcome == "damaged"
             else _("good condition"))


@bp.route("/<int:shipment_id>/receive", methods=["POST"])
@require("shipments.receive")
def receive(shipment_id):
    """Sign the receipt (a refused signature comes back with the form as typed)."""
    shipment = shipment_or_404(shipment_id)
    form = ReceiveForm()
    return perform(lambda: receive_shipment(
        db.session, shipment, by=current_user, password=form.password.data,
        logger_confirmed=form.logger_confirmed.data, comment=form.comment.data,
        missing_confirmed=form.missing_confirmed.data),
        form=form, render=lambda: render_shipment(shipment, receive=form),
        success=_signed,
        next_url=shipment_url(shipment, "#receipt"))


def _signed(counts):
    if not any(counts.values()):  # a shipment of devices only
        return _("Receipt signed.")
    return _("Receipt signed: %(received)s, %(damaged)s, %(missing)s.",
             received=ngettext("%(num)s kit received", "%(num)s kits received", counts["ok"]),
             damaged=npgettext("kits at receipt", "%(num)s damaged", "%(num)s damaged",
                               counts["damaged"]),
             missing=npgettext("kits at receipt", "%(num)s missing", "%(num)s missing",
                               counts["missing"]))


@bp.route("/discrepancies/<int:discrepancy_id>/resolve", methods=["POST"])
@require("shipments.manage")
def resolve(discrepancy_id):
    """Close a discrepancy with its resolution."""
    item = get_or_404(Discrepancy, discrepancy_id)
    shipment = shipment_or_404(item.shipment_id)
    form = ResolveForm()
    return perform(lambda: resolve_discrepancy(db.session, item, form.resolution.data,
                                               by=current_user), form=form,
                   success=_("Discrepancy resolved."),
                   next_url=shipment_url(shipment, "#discrepancies"))
