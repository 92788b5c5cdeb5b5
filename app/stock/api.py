"""The stock domain's public entry point: the only module other domains import."""

from app.stock.catalog import create_depot, depot_location_ids, save_resupply_level, site_location
from app.stock.kits import random_kit_numbers, receive_new_kits
from app.stock.ledger import move_kits
from app.stock.models import KIT_STATES, Kit, Location, Lot, Product, ResupplyLevel
from app.stock.queries import depots
from app.stock.states import USABLE_STATES
from app.stock.supply import eligible_kits, resupply_needs

__all__ = [
    "KIT_STATES", "USABLE_STATES", "Kit", "Location", "Lot", "Product", "ResupplyLevel",
    "create_depot", "depot_location_ids", "depots", "eligible_kits", "move_kits",
    "random_kit_numbers", "receive_new_kits", "resupply_needs", "save_resupply_level",
    "site_location",
]
