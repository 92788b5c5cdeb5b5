"""Kit rule: a kit in a returns zone is never proposed for shipping or dispensing."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.destruction.models import ReturnsZone
from app.stock.api import Kit


def restrict(stmt, use):
    """Leave out kits kept in a returns zone."""
    return stmt.where(Kit.location_id.not_in(select(ReturnsZone.location_id)))


def refuse(session, kit, use):
    """Refuse a scanned kit that sits in a returns zone."""
    if kit.location_id is not None and session.scalar(select(ReturnsZone.id).where(
            ReturnsZone.location_id == kit.location_id)) is not None:
        raise DomainError(_("Kit %(kit)s is a returned kit kept apart; it can never be shipped "
                            "or dispensed.", kit=kit.kit_number), "kit_number")
