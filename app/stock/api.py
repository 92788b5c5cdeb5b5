"""The stock domain's public entry point: the only module other domains import."""

from app.stock.models import (
    KIT_STATES,
    Kit,
    Location,
    Lot,
    Product,
    ResupplyLevel,
    StockBalance,
    StockEntry,
)
from app.stock.queries import depots
from app.stock.rules import KitUse, check_kit_rules
from app.stock.services.catalog import (
    create_depot,
    depot_location_ids,
    save_resupply_level,
    site_location,
)
from app.stock.services.kits import random_kit_numbers, receive_new_kits
from app.stock.services.kittypes import kit_types, save_kit_type, save_kit_type_level
from app.stock.services.ledger import move_kits, transition
from app.stock.services.stability import add_exposure, budget_use
from app.stock.services.supply import RESUPPLY_LEAD_DAYS, eligible_kits, resupply_needs
from app.stock.states import KIT, USABLE_STATES

__all__ = [
    "KIT", "KIT_STATES", "RESUPPLY_LEAD_DAYS", "USABLE_STATES", "Kit", "KitUse", "Location",
    "Lot", "Product",
    "ResupplyLevel", "add_exposure", "budget_use", "check_kit_rules",
    "StockBalance", "StockEntry", "create_depot", "depot_location_ids", "depots",
    "eligible_kits", "move_kits", "random_kit_numbers", "receive_new_kits", "resupply_needs",
    "save_resupply_level", "kit_types", "save_kit_type", "save_kit_type_level",
    "site_location", "transition",
]
