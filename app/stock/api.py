"""The stock domain's public entry point: the only module other domains import."""

from app.stock.forms import QaDecisionForm
from app.stock.models import (
    KIT_STATES,
    Dispensing,
    Kit,
    KitReturn,
    Location,
    Lot,
    Product,
    ResupplyLevel,
    StockBalance,
    StockEntry,
    lot_members,
)
from app.stock.queries import depots
from app.stock.rules import KitUse, check_kit_rules, check_lot_rules
from app.stock.scanning import kit_number_from_scan, parse_scan
from app.stock.services.catalog import (
    create_depot,
    depot_location_ids,
    gtin_is_valid,
    save_resupply_level,
    site_location,
)
from app.stock.services.dispositions import Reference as DispositionReference
from app.stock.services.kit_lists import MAX_FILE_BYTES as KIT_LIST_MAX_BYTES
from app.stock.services.kit_lists import KitListRefused, import_kit_rows
from app.stock.services.kit_lists import read_kit_list as read_table
from app.stock.services.kits import random_kit_numbers, receive_new_kits
from app.stock.services.kittypes import kit_types, save_kit_type, save_kit_type_level
from app.stock.services.ledger import move_kits, move_kits_in_bulk, transition
from app.stock.services.stability import (
    add_exposure,
    budget_use,
    decided_message,
    sign_qa_decision,
)
from app.stock.services.supply import RESUPPLY_LEAD_DAYS, eligible_kits, resupply_needs
from app.stock.states import KIT, LOT, USABLE_STATES

__all__ = [
    "KIT", "KIT_LIST_MAX_BYTES", "KIT_STATES", "LOT", "RESUPPLY_LEAD_DAYS", "USABLE_STATES",
    "Dispensing", "DispositionReference", "Kit", "KitListRefused", "KitReturn", "KitUse",
    "Location", "Lot", "Product", "QaDecisionForm", "ResupplyLevel", "add_exposure",
    "budget_use", "check_kit_rules", "check_lot_rules", "decided_message", "import_kit_rows",
    "sign_qa_decision",
    "read_table", "StockBalance", "StockEntry", "create_depot", "depot_location_ids", "depots",
    "eligible_kits", "gtin_is_valid", "kit_number_from_scan", "kit_types", "move_kits",
    "move_kits_in_bulk", "parse_scan", "random_kit_numbers", "receive_new_kits",
    "resupply_needs", "save_kit_type", "save_kit_type_level", "save_resupply_level",
    "site_location", "transition", "lot_members",
]
