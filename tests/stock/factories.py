"""Stock factories: products, lots, depots, kits at a depot or a site."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from app.stock.models import Lot, Product
from app.stock.services.catalog import create_depot, site_location
from app.stock.services.kits import generate_kits
from app.stock.services.ledger import move_kits

_seq = itertools.count(1)


def make_product(session, **values):
    n = next(_seq)
    defaults = dict(name=f"Product {n}", kind="investigational", strength="10 mg",
                    form="Tablet", route="Oral", units_per_kit=28,
                    storage_min_c=Decimal("15.0"), storage_max_c=Decimal("25.0"))
    product = Product(**{**defaults, **values})
    session.add(product)
    session.flush()
    return product


def make_lot(session, product=None, trial=None, expires_on=None, **values):
    n = next(_seq)
    product = product or make_product(session)
    lot = Lot(number=values.pop("number", f"L{n:05d}"), product_id=product.id,
              trial_id=trial.id if trial else None,
              expires_on=expires_on or date.today() + timedelta(days=400),
              status=values.pop("status", "released"), **values)
    session.add(lot)
    session.flush()
    return lot


def make_depot(session):
    n = next(_seq)
    return create_depot(session, f"DEP{n}", f"Depot {n}",
                        zones=[(f"DEP{n}-CR", "Cold room", "2-8 °C")])


def make_kits(session, trial, count=3, lot=None, depot=None, **lot_values):
    lot = lot or make_lot(session, trial=trial, **lot_values)
    depot = depot or make_depot(session)
    return generate_kits(session, trial, lot, depot, count)


def ship_to_site(session, kits, site):
    """Send kits to a site and receive them there (as the shipments module will)."""
    location = site_location(session, site)
    move_kits(session, kits, "in_transit", "transfer_out", to_location=location,
              document_ref="SHP-TEST")
    move_kits(session, kits, "received", "transfer_in")
    return location


def make_site_kits(session, site, count=3, **lot_values):
    kits = make_kits(session, site.trial, count, **lot_values)
    ship_to_site(session, kits, site)
    return kits
