"""Cell therapy (CAR-T, TIL): chain of identity, custody and condition, dry shippers."""

from flask import Blueprint

bp = Blueprint("celltherapy", __name__)

from app.celltherapy import views  # noqa: E402,F401
