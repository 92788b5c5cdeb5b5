"""Stock factories: products, lots, depots, kits at a depot or a site (used by shipments too)."""

from datetime import timedelta
from decimal import Decimal

from app.core import clock
from app.stock.models import Lot, Product
from app.stock.services.catalog import create_depot, site_location
from app.stock.services.kits import generate_kits, receive_new_kits
from app.stock.services.ledger import move_kits
from tests.factories import next_number


def make_product(session, **values):
    """Return a product kept at room temperature unless storage_min_c/max_c say otherwise."""
    n = next_number()
    defaults = dict(name=f"Product {n}", kind="investigational", strength="10 mg",
                    form="Tablet", route="Oral", units_per_kit=28,
                    storage_min_c=Decimal("15.0"), storage_max_c=Decimal("25.0"))
    product = Product(**{**defaults, **values})
    session.add(product)
    session.flush()
    return product


def make_lot(session, product=None, trial=None, expires_on=None, **values):
    """Return a released lot expiring in 400 days."""
    n = next_number()
    product = product or make_product(session)
    lot = Lot(number=values.pop("number", f"L{n:05d}"), product_id=product.id,
              trial_id=trial.id if trial else None,
              expires_on=expires_on or clock.today() + timedelta(days=400),
              status=values.pop("status", "released"), **values)
    session.add(lot)
    session.flush()
    return lot


def make_depot(session, name=None, zones=None):
    """Return a depot with a cold room zone (zones=() for none)."""
    n = next_number()
    zones = [(f"DEP{n}-CR", "Cold room", "2-8 °C")] if zones is None else zones
    return create_depot(session, f"DEP{n}", name or f"Depot {n}", zones=zones)


def make_kits(session, trial, count=3, lot=None, depot=None, *, prefix=None, **lot_values):
    """Return count kits received at a depot.

    Kit numbers are random, as `generate_kits` gives them, unless a prefix asks for ordered
    ones (prefix + 0001, 0002...). Without a lot, one is made with lot_values.
    """
    lot = lot or make_lot(session, trial=trial, **lot_values)
    depot = depot or make_depot(session)
    if prefix is None:
        return generate_kits(session, trial, lot, depot, count)
    rows = [(f"{prefix}{i:04d}", lot, None) for i in range(1, count + 1)]
    return receive_new_kits(session, trial, depot, rows)


def ship_to_site(session, kits, site):
    """Send kits to a site and receive them there (as the shipments module will)."""
    location = site_location(session, site)
    move_kits(session, kits, "in_transit", "transfer_out", to_location=location,
              document_ref="SHP-TEST")
    move_kits(session, kits, "received", "transfer_in")
    return location


def make_site_kits(session, site, count=3, **lot_values):
    """Return count kits received at a site."""
    kits = make_kits(session, site.trial, count, **lot_values)
    ship_to_site(session, kits, site)
    return kits
