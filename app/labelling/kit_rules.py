"""Kit rule: a kit of an imported or QP-certified lot ships and is dispensed only where released.

A lot that arrived with an import record, or that a QP certified, is under release control:
its kits are proposed and accepted only when the QP certified the lot and the sponsor released
it for the country of the site (the destination of a shipment, the subject's site when
dispensing). Lots outside that control keep stock's own rules.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, exists, not_, or_, select

from app.core.errors import DomainError
from app.labelling.models import CountryRelease, QpCertification, import_lots
from app.stock.api import Kit


def _controlled(lot_id):
    return or_(exists().where(import_lots.c.lot_id == lot_id),
               exists().where(QpCertification.lot_id == lot_id))


def _allowed(lot_id, country):
    return and_(exists().where(QpCertification.lot_id == lot_id),
                exists().where(CountryRelease.lot_id == lot_id,
                               CountryRelease.country == country))


def _country(use):
    return getattr(use.site, "country", None) if use.site is not None else None


def restrict(stmt, use):
    """Keep kits of uncontrolled lots, and of controlled lots released for the site's country."""
    country = _country(use)
    if country is None:
        return stmt
    return stmt.where(or_(not_(_controlled(Kit.lot_id)), _allowed(Kit.lot_id, country)))


def refuse(session, kit, use):
    """Refuse a scanned kit of a lot not certified, or not released for the site's country."""
    country = _country(use)
    if country is None:
        return
    controlled = session.scalar(select(_controlled(kit.lot_id)))
    if not controlled:
        return
    if not session.scalar(select(exists().where(QpCertification.lot_id == kit.lot_id))):
        raise DomainError(_("Kit %(kit)s belongs to lot %(lot)s, which a QP has not certified: "
                            "it may not ship or be dispensed.", kit=kit.kit_number,
                            lot=kit.lot.number), "kit_number")
    if not session.scalar(select(exists().where(CountryRelease.lot_id == kit.lot_id,
                                                CountryRelease.country == country))):
        raise DomainError(_("Kit %(kit)s belongs to lot %(lot)s, which is not released for "
                            "%(country)s: it may not go to this site.", kit=kit.kit_number,
                            lot=kit.lot.number, country=country), "kit_number")
