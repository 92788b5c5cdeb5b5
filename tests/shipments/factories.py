"""Stock and shipment factories for the shipment tests, built on stock's own services."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from app.shipments.services import create_shipment
from app.stock.api import create_depot, receive_new_kits, site_location
from app.stock.models import Lot, Product
from tests import factories

_seq = itertools.count(1)


def make_product(session, low=2, high=8, **values):
    n = next(_seq)
    product = Product(name=f"Product {n}", strength="10 mg", form="tablet", route="oral",
                      units_per_kit=28, storage_min_c=low, storage_max_c=high, **values)
    session.add(product)
    session.flush()
    return product


def make_lot(session, product, trial, expires_on=None, status="released"):
    n = next(_seq)
    lot = Lot(number=f"LOT-{n:05d}", product_id=product.id, trial_id=trial.id,
              expires_on=expires_on or date.today() + timedelta(days=400), status=status)
    session.add(lot)
    session.flush()
    return lot


def make_kits(session, trial, lot, location, count, prefix=None):
    prefix = prefix or f"K{next(_seq):03d}"
    rows = [(f"{prefix}{i:04d}", lot, None) for i in range(1, count + 1)]
    return receive_new_kits(session, trial, location, rows)


@dataclass
class World:
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
    trial = factories.make_trial(session)
    site = factories.make_site(session, trial)
    depot = create_depot(session, f"DEP-{next(_seq)}", "Madrid depot")
    product = make_product(session, low=low, high=high)
    lot = make_lot(session, product, trial)
    kit_list = make_kits(session, trial, lot, depot, kits)
    logistics = factories.make_user(session, roles=("logistics",))
    site_user = factories.make_user(session, roles=("site",), sites=[site])
    qp = factories.make_user(session, roles=("qp",))
    return World(trial, site, site_location(session, site), depot, product, lot, kit_list,
                 logistics, site_user, qp)


def make_shipment(session, world, requested=3, kind="resupply", **values):
    values.setdefault("expected_arrival", date.today() + timedelta(days=2))
    return create_shipment(session, trial=world.trial, kind=kind, origin=world.depot,
                           destination=world.site_loc, requested_kits=requested,
                           by=world.logistics, **values)


def make_packed(session, world, requested=3, logger_ids="LG-1"):
    """Return a shipment ordered, picked by scan of every proposed kit, and packed."""
    from app.shipments.picking import finish_picking, pack_shipment, pick_kit, propose_kits

    shipment = make_shipment(session, world, requested=requested)
    propose_kits(session, shipment)
    for line in list(shipment.lines):
        pick_kit(session, shipment, line.kit.kit_number, by=world.logistics)
    finish_picking(session, shipment)
    pack_shipment(session, shipment, boxes=1, logger_ids=logger_ids)
    return shipment


def make_dispatched(session, world, requested=3, logger_ids="LG-1"):
    """Return a packed shipment handed to the courier (kits in transit)."""
    from app.shipments.dispatch import dispatch_shipment

    shipment = make_packed(session, world, requested, logger_ids)
    dispatch_shipment(session, shipment, courier="Courier", tracking_number="T1",
                      expected_arrival=date.today(), by=world.logistics)
    return shipment
