"""Kit types of a trial, which kit types each visit dispenses, per-type resupply levels."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.stock.models import Dispensing, Kit, KitType, KitTypeLevel, Product, VisitKitType


def kit_types(session, trial):
    """Return the trial's kit types by code."""
    return session.scalars(select(KitType).where(KitType.trial_id == trial.id)
                           .order_by(KitType.code)).all()


def save_kit_type(session, trial, code, name, product_ids, kit_type=None):
    """Create or change a kit type: a code unique in the trial, a name, at least one product."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 20:
        raise DomainError(_("Give a code of at most 20 characters."), "code")
    if not name or len(name) > 200:
        raise DomainError(_("Give a name of at most 200 characters."), "name")
    products = session.scalars(select(Product).where(Product.id.in_(product_ids or ()))).all()
    if not products:
        raise DomainError(_("Choose at least one product the kits of this type hold."),
                          "product_ids")
    taken = session.scalar(select(KitType.id).where(
        KitType.trial_id == trial.id, func.lower(KitType.code) == code.lower(),
        KitType.id != (kit_type.id if kit_type else 0)))
    if taken:
        raise DomainError(_("Another kit type of this trial has this code."), "code")
    for other in kit_types(session, trial):
        shared = {p.id for p in other.products} & {p.id for p in products}
        if other is not kit_type and shared:
            raise DomainError(_("A product belongs to one kit type of a trial; %(p)s is in "
                                "%(type)s already.", type=other.code,
                                p=next(p.name for p in products if p.id in shared)),
                              "product_ids")
    kit_type = kit_type or KitType(trial_id=trial.id)
    kit_type.code, kit_type.name, kit_type.products = code, name, list(products)
    session.add(kit_type)
    session.flush()
    return kit_type


def set_visit_kit_types(session, visit, quantities):
    """Set what a visit dispenses: {kit type: quantity}; a quantity of 0 removes the type."""
    current = {v.kit_type_id: v for v in visit_needs(session, visit)}
    for kit_type, quantity in quantities.items():
        if kit_type.trial_id != visit.trial_id:
            raise DomainError(_("This kit type belongs to another trial."), "kit_type_id")
        if quantity is None or quantity < 0 or quantity > 20:
            raise DomainError(_("Give a number of kits between 0 and 20."), "quantity")
        row = current.get(kit_type.id)
        if quantity == 0:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = VisitKitType(visit_id=visit.id, kit_type_id=kit_type.id)
            session.add(row)
        row.quantity = quantity
    session.flush()


def visit_needs(session, visit):
    """Return the visit's VisitKitType rows (kit type and quantity)."""
    if visit is None:
        return []
    return session.scalars(select(VisitKitType).where(VisitKitType.visit_id == visit.id)
                           .order_by(VisitKitType.id)).all()


def product_ids_of(kit_type):
    """Return the ids of the products kits of this type hold."""
    return [p.id for p in kit_type.products]


def kit_type_of(session, kit):
    """Return the kit's type (by its product, within its trial), or None."""
    return session.scalar(select(KitType).join(KitType.products).where(
        KitType.trial_id == kit.trial_id, Product.id == kit.product_id))


def dispensed_at_visit(session, subject, visit):
    """Return the subject's dispensings at this visit, oldest first."""
    return session.scalars(select(Dispensing).join(Kit, Kit.id == Dispensing.kit_id).where(
        Dispensing.subject_id == subject.id, Dispensing.visit_id == visit.id)
        .order_by(Dispensing.id)).all()


def next_kit_type(session, subject, visit):
    """Return the first kit type the visit still needs for the subject, or None.

    None also when the visit names no kit types (any kit of the trial goes).
    """
    given = {}
    for dispensing in dispensed_at_visit(session, subject, visit):
        if dispensing.replaces_id is None:
            kit_type = kit_type_of(session, dispensing.kit)
            key = kit_type.id if kit_type else None
            given[key] = given.get(key, 0) + 1
    for need in visit_needs(session, visit):
        if given.get(need.kit_type_id, 0) < need.quantity:
            return need.kit_type
    return None


def save_kit_type_level(session, site, kit_type, minimum, maximum):
    """Set a site's resupply minimum and maximum for one kit type (0 <= min < max)."""
    if minimum is None or maximum is None or minimum < 0 or maximum <= minimum:
        raise DomainError(_("The maximum must be more than the minimum, and the minimum may "
                            "not be negative."), "maximum")
    if kit_type.trial_id != site.trial_id:
        raise DomainError(_("This kit type belongs to another trial."), "kit_type_id")
    level = session.scalar(select(KitTypeLevel).where(KitTypeLevel.site_id == site.id,
                                                      KitTypeLevel.kit_type_id == kit_type.id))
    if level is None:
        level = KitTypeLevel(site_id=site.id, kit_type_id=kit_type.id, minimum=minimum,
                             maximum=maximum)
        session.add(level)
    level.minimum, level.maximum = minimum, maximum
    session.flush()
    return level
