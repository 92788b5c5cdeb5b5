"""The shipments domain's public entry point for later domains (returns and destruction)."""

from app.shipments.models import Discrepancy, Shipment, ShipmentKit
from app.shipments.services.orders import create_shipment
from app.shipments.services.picking import pick_kit, propose_kits
from app.shipments.services.receipt import receive_shipment, scan_at_receipt
from app.shipments.services.stock_bridge import RETURNABLE_STATES

__all__ = [
    "RETURNABLE_STATES", "Discrepancy", "Shipment", "ShipmentKit", "create_shipment",
    "pick_kit", "propose_kits", "receive_shipment", "scan_at_receipt",
]
