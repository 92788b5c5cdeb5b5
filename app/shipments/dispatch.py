"""Hand the boxes to the courier: kits go in transit, the site is told."""

from datetime import date

from flask_babel import gettext as _

from app.shipments.notices import shipment_link, tell, users_with_roles
from app.shipments.services import ShipmentError, change_status, check_tracking_number
from app.shipments.stock_bridge import move_shipment_kits, needs_cold_chain


def dispatch_shipment(session, shipment, *, courier, tracking_number, expected_arrival,
                      logger_ids=None, by=None, today=None):
    """Ship a packed shipment: refuse an empty one or a cold chain without a logger."""
    courier = (courier or "").strip()
    tracking = check_tracking_number(tracking_number)
    if not courier:
        raise ShipmentError(_("Name the courier."), "courier")
    if len(courier) > 100:
        raise ShipmentError(_("The courier name has at most 100 characters."), "courier")
    if expected_arrival is None:
        raise ShipmentError(_("Give the expected arrival date."), "expected_arrival")
    if expected_arrival < (today or date.today()):
        raise ShipmentError(_("The expected arrival cannot be in the past."), "expected_arrival")
    loggers = (logger_ids if logger_ids is not None else shipment.logger_ids or "").strip()
    if len(loggers) > 200:
        raise ShipmentError(_("The logger ids have at most 200 characters."), "logger_ids")
    kits = [line.kit for line in shipment.lines if line.status == "picked"]
    if not kits:
        raise ShipmentError(_("Shipment %(n)s has no kits; an empty shipment cannot be "
                              "dispatched.", n=shipment.number))
    if needs_cold_chain(kits) and not loggers:
        raise ShipmentError(_("These kits travel in the cold chain: give the id of the "
                              "temperature logger packed with them."), "logger_ids")
    change_status(session, shipment, "shipped", courier=courier, tracking_number=tracking,
                  expected_arrival=expected_arrival, logger_ids=loggers or None)
    move_shipment_kits(session, kits, "in_transit", "transfer_out", by=by,
                       document_ref=shipment.number)
    destination = shipment.destination
    if destination.kind == "site":
        link = shipment_link(shipment)
        tell(session, users_with_roles(session, ("site",), site_id=destination.site_id),
             lambda: (_("Shipment %(n)s is on its way", n=shipment.number),
                      _("Shipment %(n)s with %(k)s kits left %(origin)s with %(courier)s "
                        "(tracking %(tracking)s). Expected on %(date)s. Scan the kits when "
                        "it arrives and sign the receipt.", n=shipment.number, k=len(kits),
                        origin=shipment.origin.name, courier=courier,
                        tracking=tracking or "—", date=expected_arrival.isoformat())),
             link)
    return len(kits)


def mark_delivered(session, shipment):
    """Record the courier's proof that the boxes were delivered."""
    change_status(session, shipment, "delivered")
