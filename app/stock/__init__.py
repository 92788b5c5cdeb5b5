"""Medication stock: products, lots, kits, the stock ledger, dispensing and accountability."""

from flask import Blueprint

bp = Blueprint("stock", __name__)

from app.stock import views  # noqa: E402, F401
