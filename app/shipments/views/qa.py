"""QA release or rejection of quarantined kits, signed."""

from flask import request
from flask_login import current_user

from app.core.actions import perform
from app.core.permissions import require
from app.extensions import db
from app.shipments import bp
from app.shipments.forms import DecisionForm
from app.shipments.services.qa import decide_on_kits, pending_lines
from app.shipments.views.orders import render_shipment, shipment_or_404, shipment_url
from app.stock.api import decided_message


@bp.route("/<int:shipment_id>/decide", methods=["POST"])
@require("shipments.decide")
def decide(shipment_id):
    """Release or reject quarantined kits with an e-signature (refused: shown as typed)."""
    shipment = shipment_or_404(shipment_id)
    form = DecisionForm()
    form.kits.choices = [(line.id, line.kit.kit_number) for line in pending_lines(shipment)]
    return perform(lambda: decide_on_kits(
        db.session, shipment, form.kits.data, request.form.get("decision"), form.reason.data,
        signer=current_user, password=form.password.data,
        departure_reason=form.departure_reason.data),
        form=form, render=lambda: render_shipment(shipment, decision=form),
        success=decided_message, next_url=shipment_url(shipment, "#decision"))
