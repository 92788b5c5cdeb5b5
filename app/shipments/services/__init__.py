"""The shipment rules, one module per topic; they flush, never commit."""
