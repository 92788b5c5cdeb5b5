"""Hand the shipment to the courier; record the courier's delivery."""

from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.permissions import require
from app.extensions import db
from app.shipments import bp
from app.shipments.forms import DispatchForm
from app.shipments.services.dispatch import dispatch_shipment, mark_delivered
from app.shipments.views.orders import render_shipment, shipment_or_404, shipment_url


@bp.route("/<int:shipment_id>/dispatch", methods=["POST"])
@require("shipments.manage")
def dispatch(shipment_id):
    """Hand the shipment to the courier (a refused form comes back as typed)."""
    shipment = shipment_or_404(shipment_id)
    form = DispatchForm()
    return perform(lambda: dispatch_shipment(
        db.session, shipment, courier=form.courier.data,
        tracking_number=form.tracking_number.data, expected_arrival=form.expected_arrival.data,
        logger_ids=form.logger_ids.data, by=current_user),
        form=form, render=lambda: render_shipment(shipment, dispatch=form),
        success=lambda n: _("Shipment dispatched: %(n)s kits are in transit.", n=n),
        next_url=shipment_url(shipment, "#dispatch"))


@bp.route("/<int:shipment_id>/delivered", methods=["POST"])
@require("shipments.manage")
def delivered(shipment_id):
    """Record the courier's delivery."""
    shipment = shipment_or_404(shipment_id)
    return perform(lambda: mark_delivered(db.session, shipment, by=current_user),
                   success=_("Delivery recorded. The site can now receive the shipment."),
                   next_url=shipment_url(shipment))
