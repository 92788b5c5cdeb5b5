"""Read side: scoped order lists, one patient's timeline, the trial dashboard."""

from collections import defaultdict
from datetime import timedelta
from statistics import median

from flask import abort
from sqlalchemy import and_, func, or_, select

from app.celltherapy.models import (
    MAIN_PATH,
    ORDER_STATUSES,
    STEP_TARGET_HOURS,
    DryShipper,
    TherapyOrder,
)
from app.core.models import utcnow
from app.extensions import db


def visible_orders(user, permission="celltherapy.view"):
    """Return a select of the orders the permission reaches for the user."""
    stmt = select(TherapyOrder)
    scope = user.site_scope(permission)
    if scope is not None:
        stmt = stmt.where(TherapyOrder.site_id.in_(scope or {-1}))
    return stmt


def order_or_404(user, order_id, permission="celltherapy.view"):
    """Return the order if the user's scope reaches it, else answer 404."""
    order = db.session.scalar(visible_orders(user, permission).where(
        TherapyOrder.id == order_id))
    if order is None:
        abort(404)
    return order


def shipper_or_404(shipper_id):
    """Return the dry shipper or answer 404."""
    shipper = db.session.get(DryShipper, shipper_id)
    if shipper is None:
        abort(404)
    return shipper


def moment_formatter():
    """Return a function that shows a UTC moment as local "YYYY-MM-DD HH:MM" (cheap per row).

    A timeline lists dozens of events; babel's formatter per row costs more than the query.
    """
    from flask_babel import get_timezone

    zone = get_timezone()
    return lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def hours_between(start, end):
    """Return the hours from start to end (one decimal), or None."""
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600.0, 1)


def step_times(order):
    """Return the main path as (state, label, entered at, hours since the previous step)."""
    rows, previous = [], None
    for state in MAIN_PATH:
        at = getattr(order, f"{state}_at")
        rows.append((state, ORDER_STATUSES[state], at, hours_between(previous, at)))
        previous = at or previous
    return rows


def vein_to_vein_hours(order):
    """Return collection to infusion in hours, or None before the infusion."""
    return hours_between(order.collected_at, order.infused_at)


def orders_by_step(session, trial_id, scope):
    """Return {state: count} of a trial's orders."""
    stmt = (select(TherapyOrder.status, func.count()).where(TherapyOrder.trial_id == trial_id)
            .group_by(TherapyOrder.status))
    if scope is not None:
        stmt = stmt.where(TherapyOrder.site_id.in_(scope or {-1}))
    return dict(session.execute(stmt).all())


def late_orders(session, trial_id, scope, now=None, limit=50):
    """Return ((order id, reference, state, hours in the step, target), how many are late)."""
    now = now or utcnow()
    late = or_(*(and_(TherapyOrder.status == status,
                      TherapyOrder.step_at < now - timedelta(hours=hours))
                 for status, hours in STEP_TARGET_HOURS.items()))
    stmt = select(TherapyOrder.id, TherapyOrder.coi, TherapyOrder.status,
                  TherapyOrder.step_at).where(TherapyOrder.trial_id == trial_id, late)
    if scope is not None:
        stmt = stmt.where(TherapyOrder.site_id.in_(scope or {-1}))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.order_by(TherapyOrder.step_at).limit(limit)).all()
    return [(order_id, coi or f"CT-{order_id:06d}", status, hours_between(step_at, now),
             STEP_TARGET_HOURS[status]) for order_id, coi, status, step_at in rows], total


def quartiles(values):
    """Return (first quartile, median, third quartile) of a non-empty list."""
    ordered = sorted(values)
    half = len(ordered) // 2
    lower, upper = ordered[:half] or ordered, ordered[-half:] if half else ordered
    return median(lower), median(ordered), median(upper)


def _days_and_month(session):
    """Return SQL for (vein-to-vein days, month of infusion) on this database."""
    infused, collected = TherapyOrder.infused_at, TherapyOrder.collected_at
    if session.get_bind().dialect.name == "postgresql":
        return (func.extract("epoch", infused - collected) / 86400.0,
                func.to_char(infused, "YYYY-MM"))
    return (func.julianday(infused) - func.julianday(collected),
            func.strftime("%Y-%m", infused))


def vein_to_vein_by_site_month(session, trial_id, scope):
    """Return {(site number, 'YYYY-MM'): (q1, median, q3, n)} of vein-to-vein days."""
    from app.trials.api import Site

    days, month = _days_and_month(session)
    stmt = (select(Site.site_number, month, days)
            .join(Site, Site.id == TherapyOrder.site_id)
            .where(TherapyOrder.trial_id == trial_id, TherapyOrder.infused_at.is_not(None),
                   TherapyOrder.collected_at.is_not(None)))
    if scope is not None:
        stmt = stmt.where(TherapyOrder.site_id.in_(scope or {-1}))
    groups = defaultdict(list)
    for site_number, infused_month, value in session.execute(stmt):
        groups[(site_number, infused_month)].append(float(value))
    return {key: (*[round(v, 1) for v in quartiles(values)], len(values))
            for key, values in sorted(groups.items())}


def vein_to_vein_chart(figures):
    """Return the chart data: per site a spread bar (q1-q3) and a median line by month."""
    months = sorted({month for _site, month in figures})
    sites = sorted({site for site, _month in figures})
    palette = ("#0a3d78", "#b35c00", "#146c43", "#6f42c1", "#b02a37")
    datasets = []
    for index, site in enumerate(sites):
        color = palette[index % len(palette)]
        cells = [figures.get((site, month)) for month in months]
        datasets.append({"site": site, "color": color,
                         "spread": [[c[0], c[2]] if c else None for c in cells],
                         "median": [c[1] if c else None for c in cells]})
    return {"labels": months, "sites": datasets}
