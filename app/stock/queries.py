"""Read-only stock queries: what each user may see (site users only their own sites), lists."""

from datetime import date, timedelta

from sqlalchemy import func, or_, select

from app.core import clock
from app.core.listing import where_id_args
from app.stock.models import (
    DEFAULT_DND,
    DEFAULT_DNS,
    KIT_STATES,
    Kit,
    Location,
    Lot,
    StockBalance,
    SupplySettings,
)
from app.stock.services.supply import expiry_status
from app.stock.states import ON_HAND_STATES, USABLE_STATES
from app.trials.api import Site, within_sponsors

# Kit list groups (the links behind the balance figures).
STATE_GROUPS = {"on_hand": ON_HAND_STATES, "available": USABLE_STATES,
                "quarantined": {"quarantined"}}


def kits_to_link(user, kit_ids):
    """Return the ids among kit_ids whose page the user may open: a kit that has left the
    user's sites (returned to the depot) is still named on its ledger lines, without a link
    that would answer "not found"."""
    from app.extensions import db

    ids = {kit_id for kit_id in kit_ids if kit_id}
    if not ids:
        return set()
    return set(db.session.scalars(visible_kits(user).with_only_columns(Kit.id)
                                  .where(Kit.id.in_(ids))))


def visible_kits(user):
    """Return a select of the kits the user may open."""
    stmt = within_sponsors(select(Kit), user, Kit.trial_id)
    scope = site_scope(user)
    if scope is not None:
        stmt = stmt.join(Location, Kit.location_id == Location.id).where(scope)
    return stmt


def site_scope(user):
    """Return the location filter for a user who may not see all stock, else None.

    Holders of stock.view see the depots; stock.sites reaches every site or, held through the
    site role only, the user's own sites.
    """
    sites = user.site_scope("stock.sites")
    depots_too = user.can("stock.view")
    if sites is None:
        return None if depots_too else Location.kind == "site"
    mine = Location.site_id.in_(sites or {0})
    return or_(Location.kind != "site", mine) if depots_too else mine


def visible_site_locations(user):
    """Return a select of the site locations the user may see."""
    stmt = select(Location).join(Site, Site.id == Location.site_id).where(Location.kind == "site")
    scope = user.site_scope("stock.sites")
    if scope is not None:
        stmt = stmt.where(Location.site_id.in_(scope or {0}))
    return stmt


def can_see_location(user, location):
    """Return True when the user may see the stock of this location."""
    if location.kind == "site":
        return user.sees_site("stock.sites", location.site_id)
    return user.can("stock.view")


def depots(session):
    """Return the depots (not their zones), by name."""
    return session.scalars(select(Location).where(Location.kind == "depot")
                           .order_by(Location.name)).all()


def trial_choices(session, user, blank=False):
    """Return (id, code) choices of the drug trials the user may see."""
    from flask_babel import gettext as _

    from app.trials.api import Trial, visible_trials

    trials = session.scalars(visible_trials(user).where(Trial.kind == "drug")
                             .order_by(Trial.protocol_code))
    choices = [(t.id, t.protocol_code) for t in trials]
    return ([(0, _("None (any trial)"))] if blank else []) + choices


def depot_choices(session):
    """Return (id, name) choices of the active depots and storage zones, by name."""
    locations = session.scalars(select(Location).where(Location.kind.in_(("depot", "zone")),
                                                       Location.active.is_(True))).all()
    return sorted(((loc.id, str(loc)) for loc in locations), key=lambda c: c[1])


def location_and_zone_ids(session, location_id):
    """Return a location's id and, for a depot, its zones' ids ([0] when it is unknown)."""
    location = session.get(Location, location_id)
    if location is None:
        return [0]
    if location.kind == "depot":
        return [location.id, *session.scalars(select(Location.id).where(
            Location.parent_id == location.id))]
    return [location.id]


def kit_filters(session, stmt, args):
    """Apply the kit list filters in args (trial, lot, location, state, group, expiry) to stmt.

    A date that is not YYYY-MM-DD raises ValueError.
    """
    stmt = where_id_args(stmt, args, {"trial": Kit.trial_id, "lot": Kit.lot_id,
                                      "product": Kit.product_id})
    location_id = args.get("location", type=int)
    if location_id:
        stmt = stmt.where(Kit.location_id.in_(location_and_zone_ids(session, location_id)))
    if args.get("state") in KIT_STATES:
        stmt = stmt.where(Kit.state == args["state"])
    if args.get("group") in STATE_GROUPS:
        stmt = stmt.where(Kit.state.in_(STATE_GROUPS[args["group"]]))
    for name, op in (("expires_from", "__ge__"), ("expires_to", "__le__")):
        value = args.get(name)
        if value:
            stmt = stmt.where(getattr(Kit.expires_on, op)(date.fromisoformat(value)))
    return stmt


def settings_by_trial(session):
    """Return a function trial id -> (dns, dnd), with the defaults for trials without settings."""
    saved = {s.trial_id: (s.dns_days, s.dnd_days)
             for s in session.scalars(select(SupplySettings))}
    return lambda trial_id: saved.get(trial_id, (DEFAULT_DNS, DEFAULT_DND))


def visit_choices(trial):
    """Return (id, label) for the active visits of a trial's schedule."""
    return [(v.id, f"V{v.number} · {v.name}") for v in trial.visits if v.active]


def expiry_chart(session, balance_stmt):
    """Return kits available, quarantined and otherwise on hand per expiry month (for a chart)."""
    inner = balance_stmt.with_only_columns(
        Lot.expires_on, StockBalance.on_hand, StockBalance.quarantined, StockBalance.available)
    months = {}
    for expires_on, on_hand, quarantined, available in session.execute(inner):
        month = months.setdefault(expires_on.strftime("%Y-%m"), [0, 0, 0])
        month[0] += available
        month[1] += quarantined
        month[2] += on_hand - available - quarantined
    labels = sorted(months)
    return {"labels": labels, "available": [months[m][0] for m in labels],
            "quarantined": [months[m][1] for m in labels],
            "other": [months[m][2] for m in labels]}


def expiring_kits(session, days, trial_id=None, today=None):
    """Return rows of on-hand kits passing DNS, DND or expiry within days, per location and lot."""
    today = today or clock.today()
    windows = settings_by_trial(session)
    dns_max = session.scalar(select(func.max(SupplySettings.dns_days))) or 0
    horizon = today + timedelta(days=days + max(dns_max, DEFAULT_DNS))
    stmt = (select(Kit.trial_id, Kit.location_id, Kit.lot_id, Kit.expires_on, func.count())
            .where(Kit.state.in_(ON_HAND_STATES - {"expired"}), Kit.expires_on <= horizon)
            .group_by(Kit.trial_id, Kit.location_id, Kit.lot_id, Kit.expires_on)
            .order_by(Kit.expires_on))
    if trial_id:
        stmt = stmt.where(Kit.trial_id == trial_id)
    end = today + timedelta(days=days)
    rows = []
    for trial, location_id, lot_id, expires_on, count in session.execute(stmt):
        dns, dnd = windows(trial)
        dns_from = expires_on - timedelta(days=dns) + timedelta(days=1)
        dnd_from = expires_on - timedelta(days=dnd) + timedelta(days=1)
        if min(dns_from, dnd_from, expires_on) > end:
            continue
        rows.append(dict(trial_id=trial, location_id=location_id, lot_id=lot_id,
                         expires_on=expires_on, count=count, dns_from=dns_from,
                         dnd_from=dnd_from, status=expiry_status(expires_on, dns, dnd, today)))
    return rows, end


# The thresholds the expiry alert tells of, in the order a kit crosses them.
THRESHOLDS = ("dns", "dnd", "expiry")


def kits_crossing(session, today, days):
    """Return AlertItems: kits on hand that cross DNS, DND or expiry within days, per place.

    One item per location (depot, zone or site), lot and threshold; the key names the date
    crossed so a later threshold of the same kits is told again, the same one never twice.
    """
    from flask import url_for

    from app.core.domains import AlertItem

    rows, end = expiring_kits(session, days, today=today)
    places = {loc.id: loc for loc in session.scalars(select(Location).where(
        Location.id.in_({row["location_id"] for row in rows} or {0})))}
    lots = {lot.id: lot.number for lot in session.scalars(select(Lot).where(
        Lot.id.in_({row["lot_id"] for row in rows} or {0})))}
    items = []
    for row in rows:
        place = places.get(row["location_id"])
        if place is None:
            continue
        crossing = dict(zip(THRESHOLDS, (row["dns_from"], row["dnd_from"], row["expires_on"]),
                            strict=True))
        for threshold, on in crossing.items():
            if not today < on <= end:
                continue
            items.append(AlertItem(
                key=f"{threshold}:{place.id}:{row['lot_id']}:{on.isoformat()}",
                site_id=place.site_id,
                link=(url_for("stock.show_site_stock", site_id=place.site_id,
                              _external=False) if place.site_id
                      else url_for("stock.expiry_report", days=days, trial=row["trial_id"],
                                   _external=False)),
                params=dict(threshold=threshold, place=place.name, lot=lots[row["lot_id"]],
                            count=row["count"], on=on)))
    return items


# -- accountability logs waiting for a signature (home work queues) --------------------------
REVIEW_WAITING = ("sign", "verify")


def reviews_waiting(user, waiting=None):
    """Return a select of the frozen accountability logs the user may see, by what they wait for.

    ``sign``: not yet signed by the site; ``verify``: signed, not yet verified by the monitor.
    Site users see their own sites' logs only.
    """
    from sqlalchemy import String, cast, exists

    from app.esign.models import Signature
    from app.stock.models import AccountabilityReview as Review
    from app.stock.services.accountability import SIGN_MEANING, VERIFY_MEANING

    def signed(meaning):
        return exists().where(Signature.entity_type == "accountability_review",
                              Signature.entity_id == cast(Review.id, String),
                              Signature.meaning == meaning)

    stmt = select(Review)
    scope = user.site_scope("accountability.view")
    if scope is not None:
        stmt = stmt.where(Review.site_id.in_(scope or {0}))
    if waiting == "sign":
        stmt = stmt.where(~signed(SIGN_MEANING))
    elif waiting == "verify":
        stmt = stmt.where(signed(SIGN_MEANING), ~signed(VERIFY_MEANING))
    return stmt


def reviews_waiting_count(session, user, waiting):
    """Return how many logs the review list shows the user for this filter."""
    return session.scalar(select(func.count()).select_from(
        reviews_waiting(user, waiting).subquery()))


def depot_expiry_chart(session, user):
    """Return depot kits on hand per expiry month as chart datasets (home page)."""
    from flask_babel import gettext as _

    stmt = (select(StockBalance).join(Location, StockBalance.location_id == Location.id)
            .join(Lot, StockBalance.lot_id == Lot.id)
            .where(Location.kind.in_(("depot", "zone")), StockBalance.on_hand > 0))
    chart = expiry_chart(session, within_sponsors(stmt, user, StockBalance.trial_id))
    return {"labels": chart["labels"], "datasets": [
        {"label": _("Available"), "data": chart["available"], "color": "#146c43"},
        {"label": _("Quarantined"), "data": chart["quarantined"], "color": "#b35900"},
        {"label": _("Other on hand (damaged, expired, returned, set aside)"),
         "data": chart["other"], "color": "#6c757d"}]}


def storage_excursions(user, args):
    """Return a select of the storage excursions the user may see, narrowed by the list filters.

    ``waiting=qa``: kits still wait for QA; ``site``: one site; ``q`` (by build_listing):
    the location's name or code, the comment.
    """
    from app.stock.models import StorageExcursion as Excursion

    stmt = select(Excursion)
    scope = user.site_scope("stock.sites")
    if scope is not None:
        stmt = stmt.where(Excursion.site_id.in_(scope or {0}))
    if args.get("waiting") == "qa":
        stmt = stmt.where(Excursion.qa_pending.is_(True))
    elif args.get("waiting") == "decided":
        stmt = stmt.where(Excursion.qa_pending.is_(False))
    if args.get("source") in ("logger", "manual"):
        stmt = stmt.where(Excursion.source == args["source"])
    return where_id_args(stmt, args, {"site": Excursion.site_id})


def storage_excursions_waiting(session, user):
    """Return how many storage excursions wait for QA among those the user sees."""
    from werkzeug.datastructures import MultiDict

    stmt = storage_excursions(user, MultiDict({"waiting": "qa"}))
    return session.scalar(select(func.count()).select_from(stmt.subquery()))
