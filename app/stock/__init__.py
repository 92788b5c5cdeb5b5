"""Medication stock: products, lots, kits, the stock ledger, dispensing and accountability."""

from flask import Blueprint

bp = Blueprint("stock", __name__)

from app.stock import (  # noqa: E402, F401
    views_accountability,
    views_catalog,
    views_kits,
    views_site,
    views_stock,
)
