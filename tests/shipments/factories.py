"""Shipment factories: a trial with a depot full of kits and one user per role, and shipments
in each state, built on the shared and stock factories and on the shipment services."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.core import clock
from app.core.models import utcnow
from app.shipments.services.orders import create_shipment
from app.stock.api import site_location
from tests import factories
from tests.stock.factories import make_depot, make_kits, make_lot, make_product


@dataclass
class World:
    """What a shipment test starts from."""

    trial: object
    site: object
    site_loc: object
    depot: object
    product: object
    lot: object
    kits: list
    logistics: object
    site_user: object
    qp: object


def make_world(session, kits=6, low=2, high=8):
    """Return a trial and site, a depot holding kits of a 2-8 °C product, and their users."""
    trial = factories.make_trial(session)
    site = factories.make_site(session, trial)
    depot = make_depot(session, "Madrid depot", zones=())
    product = make_product(session, storage_min_c=low, storage_max_c=high)
    lot = make_lot(session, product, trial)
    kit_list = make_kits(session, trial, kits, lot=lot, depot=depot,
                         prefix=f"K{factories.next_number():03d}")
    logistics = factories.make_user(session, roles=("logistics",))
    site_user = factories.make_user(session, roles=("site",), sites=[site])
    qp = factories.make_user(session, roles=("qp",))
    return World(trial, site, site_location(session, site), depot, product, lot, kit_list,
                 logistics, site_user, qp)


def make_shipment(session, world, requested=3, kind="resupply", **values):
    """Return a draft depot-to-site shipment of the world's trial."""
    values.setdefault("expected_arrival", clock.today() + timedelta(days=2))
    return create_shipment(session, trial=world.trial, kind=kind, origin=world.depot,
                           destination=world.site_loc, requested_kits=requested,
                           by=world.logistics, **values)


def make_packed(session, world, requested=3, logger_ids="LG-1"):
    """Return a shipment ordered, picked by scan of every proposed kit, and packed."""
    from app.shipments.services.picking import finish_picking, pack_shipment, pick_kit, propose_kits

    shipment = make_shipment(session, world, requested=requested)
    propose_kits(session, shipment)
    for line in list(shipment.lines):
        pick_kit(session, shipment, line.kit.kit_number, by=world.logistics)
    finish_picking(session, shipment)
    pack_shipment(session, shipment, boxes=1, logger_ids=logger_ids)
    return shipment


def make_dispatched(session, world, requested=3, logger_ids="LG-1"):
    """Return a packed shipment handed to the courier (kits in transit)."""
    from app.shipments.services.dispatch import dispatch_shipment

    shipment = make_packed(session, world, requested, logger_ids)
    dispatch_shipment(session, shipment, courier="Courier", tracking_number="T1",
                      expected_arrival=clock.today(), by=world.logistics)
    return shipment


SAMPLE_PATH = Path(__file__).parent / "data" / "logger_excursion.csv"


def journey_started(session, shipment, hours_ago=72):
    """Move the packing and dispatch of a shipment back, so a day-long logger file fits."""
    moment = utcnow() - timedelta(hours=hours_ago)
    shipment.packed_at = moment
    if shipment.dispatched_at is not None:
        shipment.dispatched_at = moment + timedelta(hours=1)
    session.flush()
    return shipment


def sample_logger(start=None, serial=None, data=None):
    """Return the README's sample logger file moved to start (default: 08:00 two days ago,
    so its clock times stay as in the file). The logger id in its first line becomes serial.
    """
    text = (data or SAMPLE_PATH.read_bytes()).decode()
    start = start or (utcnow() - timedelta(days=2)).replace(hour=8, minute=0, second=0,
                                                            microsecond=0)
    stamps = re.findall(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", text, re.M)
    first = datetime.fromisoformat(stamps[0].replace("Z", "+00:00"))
    shift = start - first
    text = re.sub(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", lambda m: (datetime.fromisoformat(
        m.group(1).replace("Z", "+00:00")) + shift).strftime("%Y-%m-%dT%H:%M:%SZ"), text,
        flags=re.M)
    if serial:
        text = text.replace("LG-2041", serial, 1)
    return text.encode()
