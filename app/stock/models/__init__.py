"""The stock models, split by topic; every class is importable from here."""

from app.stock.models.accountability import AccountabilityReview
from app.stock.models.catalog import (
    DEFAULT_DND,
    DEFAULT_DNS,
    LOCATION_KINDS,
    LOT_STATUSES,
    PRODUCT_KINDS,
    Location,
    Lot,
    Product,
    ResupplyLevel,
    SupplySettings,
    lot_members,
)
from app.stock.models.kits import KIT_STATES, Kit
from app.stock.models.kittypes import (
    REPLACEMENT_REASONS,
    KitType,
    KitTypeLevel,
    VisitKitType,
    kit_type_products,
)
from app.stock.models.ledger import EVENTS, StockBalance, StockEntry
from app.stock.models.site import RETURN_CONDITIONS, Dispensing, KitReturn
from app.stock.models.storage import (
    EXCURSION_SOURCES,
    EXPOSURE_SOURCES,
    KitExposure,
    StorageExcursion,
    StorageExcursionKit,
    StorageQaDecision,
    StorageReading,
)

__all__ = [
    "DEFAULT_DND", "DEFAULT_DNS", "EVENTS", "KIT_STATES", "LOCATION_KINDS",
    "LOT_STATUSES", "PRODUCT_KINDS", "RETURN_CONDITIONS", "AccountabilityReview", "Dispensing",
    "Kit", "KitType", "KitTypeLevel", "REPLACEMENT_REASONS", "VisitKitType",
    "kit_type_products", "KitReturn", "Location", "Lot", "Product", "ResupplyLevel",
    "StockBalance",
    "StockEntry", "SupplySettings", "lot_members", "EXCURSION_SOURCES", "EXPOSURE_SOURCES",
    "KitExposure", "StorageExcursion",
    "StorageExcursionKit", "StorageQaDecision", "StorageReading",
]
