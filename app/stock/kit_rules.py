"""Stock's own kit rule: the kit type a visit dispenses, or the kit type a resupply ships.

Registered in stock's Domain like any other domain's rule (app/stock/rules.py). What a
subject may receive beyond the kit type is judged by other domains' rules, which read
``use.subject`` and ``use.visit`` (and ``use.kit_type``) from the same KitUse.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.stock.models import Kit, KitType, Product, VisitKitType, kit_type_products


def _allowed_product_ids(use):
    """Return a select of the product ids this use allows, or None when any kit goes."""
    if use.kit_type is not None:
        return select(kit_type_products.c.product_id).where(
            kit_type_products.c.kit_type_id == use.kit_type.id)
    if use.purpose == "dispense" and use.visit is not None:
        needed = select(VisitKitType.kit_type_id).where(VisitKitType.visit_id == use.visit.id)
        return select(kit_type_products.c.product_id).where(
            kit_type_products.c.kit_type_id.in_(needed))
    return None


def restrict(stmt, use):
    """Narrow a select(Kit) to the kit type the use asks for (or the visit dispenses)."""
    allowed = _allowed_product_ids(use)
    if allowed is None:
        return stmt
    if use.purpose == "dispense" and use.kit_type is None and use.visit is not None:
        # A visit that names no kit type dispenses any kit of the trial.
        return stmt.where(Kit.product_id.in_(allowed) | ~select(VisitKitType.id).where(
            VisitKitType.visit_id == use.visit.id).exists())
    return stmt.where(Kit.product_id.in_(allowed))


def refuse(session, kit, use):
    """Refuse a scanned kit of another type than the one wanted, naming both types."""
    allowed = _allowed_product_ids(use)
    if allowed is None:
        return
    wanted = ([use.kit_type] if use.kit_type is not None else session.scalars(
        select(KitType).join(VisitKitType, VisitKitType.kit_type_id == KitType.id)
        .where(VisitKitType.visit_id == use.visit.id).order_by(KitType.code)).all())
    if not wanted or kit.product_id in set(session.scalars(allowed)):
        return
    its_type = session.scalar(select(KitType).where(
        KitType.trial_id == kit.trial_id, KitType.products.any(Product.id == kit.product_id)))
    names = ", ".join(str(t) for t in wanted)
    if use.purpose == "dispense":
        message = _("Kit %(kit)s is of type %(type)s; visit %(visit)s dispenses %(wanted)s. "
                    "Nothing was dispensed.", kit=kit.kit_number,
                    type=str(its_type) if its_type else _("none"),
                    visit=use.visit.number, wanted=names)
    else:
        message = _("Kit %(kit)s is of type %(type)s; this shipment carries %(wanted)s.",
                    kit=kit.kit_number, type=str(its_type) if its_type else _("none"),
                    wanted=names)
    raise DomainError(message, "kit_number")
