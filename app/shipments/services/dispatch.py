"""Hand the boxes to the courier: kits go in transit, the site is told."""


from flask_babel import gettext as _

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.devices.api import dispatch as dispatch_devices
from app.devices.api import picked_count
from app.shipments.models import TRACKING_MAX
from app.shipments.services.notices import tell_dispatched
from app.shipments.services.stock_bridge import move_shipment_kits, needs_cold_chain
from app.shipments.states import SHIPMENT


def check_tracking_number(value):
    """Return the cleaned tracking number or refuse one that is too long or unprintable."""
    value = (value or "").strip()
    if len(value) > TRACKING_MAX:
        raise DomainError(_("A tracking number has at most %(n)s characters; this one has "
                            "%(len)s.", n=TRACKING_MAX, len=len(value)), "tracking_number")
    if any(not c.isprintable() for c in value):
        raise DomainError(_("The tracking number contains characters that are not allowed."),
                          "tracking_number")
    return value or None


def dispatch_shipment(session, shipment, *, courier, tracking_number, expected_arrival,
                      logger_ids=None, by=None, today=None):
    """Ship a packed shipment: refuse an empty one or a cold chain without a logger."""
    courier = (courier or "").strip()
    tracking = check_tracking_number(tracking_number)
    if not courier:
        raise DomainError(_("Name the courier."), "courier")
    if len(courier) > 100:
        raise DomainError(_("The courier name has at most 100 characters."), "courier")
    if expected_arrival is None:
        raise DomainError(_("Give the expected arrival date."), "expected_arrival")
    if expected_arrival < (today or clock.today()):
        raise DomainError(_("The expected arrival cannot be in the past."), "expected_arrival")
    loggers = (logger_ids if logger_ids is not None else shipment.logger_ids or "").strip()
    if len(loggers) > 200:
        raise DomainError(_("The logger ids have at most 200 characters."), "logger_ids")
    kits = [line.kit for line in shipment.lines if line.status == "picked"]
    if not kits and not picked_count(session, shipment.id):
        raise DomainError(_("Shipment %(n)s has no kits and no devices; an empty shipment "
                            "cannot be dispatched.", n=shipment.number))
    if needs_cold_chain(kits) and not loggers:
        raise DomainError(_("These kits travel in the cold chain: give the id of the "
                            "temperature logger packed with them."), "logger_ids")
    apply_transition(session, SHIPMENT, shipment, "dispatch", by=by, values={
        "courier": courier, "tracking_number": tracking, "expected_arrival": expected_arrival,
        "logger_ids": loggers or None})
    move_shipment_kits(session, kits, "in_transit", "transfer_out", by=by,
                       document_ref=shipment.number)
    dispatch_devices(session, shipment, by)  # the picked devices leave with the kits
    if shipment.destination.kind == "site":
        tell_dispatched(session, shipment, len(kits), courier, tracking, expected_arrival)
    return len(kits)


def mark_delivered(session, shipment, by=None):
    """Record the courier's proof that the boxes were delivered."""
    apply_transition(session, SHIPMENT, shipment, "deliver", by=by)
