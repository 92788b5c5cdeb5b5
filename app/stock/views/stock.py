"""Depot stock, site stock, the ledger lines behind every number, expiry and resupply."""

from datetime import timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.core import clock
from app.core.listing import build_listing, where_choice_args, where_id_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.models import (
    EVENTS,
    Kit,
    Location,
    Lot,
    Product,
    ResupplyLevel,
    StockBalance,
    StockEntry,
    StorageExcursion,
)
from app.stock.queries import (
    can_see_location,
    depots,
    expiring_kits,
    expiry_chart,
    kits_to_link,
    settings_by_trial,
    site_scope,
    trial_choices,
    visible_site_locations,
)
from app.stock.services.supply import expiry_status
from app.stock.states import USABLE_STATES
from app.trials.api import Site, Trial, can_see_site, within_sponsors


@bp.route("/depot")
@require("stock.view")
def depot_stock():
    """Show depot stock by trial, product and lot, with the expiry status in words."""
    stmt = (select(StockBalance).join(Location, StockBalance.location_id == Location.id)
            .join(Lot, StockBalance.lot_id == Lot.id)
            .join(Product, StockBalance.product_id == Product.id)
            .join(Trial, StockBalance.trial_id == Trial.id)
            .where(Location.kind.in_(("depot", "zone")), StockBalance.on_hand > 0))
    stmt = within_sponsors(stmt, current_user, StockBalance.trial_id)
    stmt = where_id_args(stmt, request.args, {"trial": StockBalance.trial_id,
                                              "lot": StockBalance.lot_id,
                                              "product": StockBalance.product_id})
    depot_id = request.args.get("depot", type=int)
    if depot_id:
        stmt = stmt.where((Location.id == depot_id) | (Location.parent_id == depot_id))
    listing = build_listing(
        stmt, sorts={"trial": Trial.protocol_code, "product": Product.name, "lot": Lot.number,
                     "expiry": Lot.expires_on, "location": Location.code,
                     "on_hand": StockBalance.on_hand, "available": StockBalance.available},
        default_sort="expiry", search_columns=(Lot.number, Product.name, Trial.protocol_code))
    windows = settings_by_trial(db.session)
    status = {b.id: expiry_status(b.lot.expires_on, *windows(b.trial_id)) for b in listing.items}
    products = db.session.scalars(select(Product).order_by(Product.name)).all()
    return render_template("stock/depot.html", listing=listing, status=status,
                           trials=trial_choices(db.session, current_user),
                           chart=expiry_chart(db.session, stmt),
                           product_options=[(p.id, p.name) for p in products],
                           depot_options=[(d.id, d.name) for d in depots(db.session)])


@bp.route("/sites")
@require("stock.sites")
def site_stock():
    """List the stock of the sites the user may see."""
    stmt = visible_site_locations(current_user).join(Trial, Site.trial_id == Trial.id)
    trial_id = request.args.get("trial", type=int)
    if trial_id:
        stmt = stmt.where(Site.trial_id == trial_id)
    listing = build_listing(
        stmt, sorts={"trial": Trial.protocol_code, "site": Site.site_number,
                     "hospital": Site.hospital},
        default_sort="trial", search_columns=(Site.site_number, Site.hospital, Location.code))
    ids = [loc.id for loc in listing.items]
    totals = {row[0]: row[1:] for row in db.session.execute(
        select(StockBalance.location_id, func.sum(StockBalance.on_hand),
               func.sum(StockBalance.available), func.sum(StockBalance.quarantined))
        .where(StockBalance.location_id.in_(ids)).group_by(StockBalance.location_id))}
    levels = {lvl.site_id: lvl for lvl in db.session.scalars(select(ResupplyLevel).where(
        ResupplyLevel.site_id.in_([loc.site_id for loc in listing.items])))}
    return render_template("stock/sites.html", listing=listing, totals=totals, levels=levels,
                           trials=trial_choices(db.session, current_user))


@bp.route("/sites/<int:site_id>")
@require("stock.sites")
def show_site_stock(site_id):
    """Show one site's stock per lot, what it can still dispense, and its latest movements."""
    site = get_or_404(Site, site_id)
    if not can_see_site(current_user, site, "stock.sites"):
        abort(404)
    location = db.session.scalar(select(Location).where(Location.site_id == site.id))
    balances, dispensable, recent = [], 0, []
    dns, dnd = settings_by_trial(db.session)(site.trial_id)
    cutoff = clock.today() + timedelta(days=dnd)
    if location is not None:
        balances = db.session.scalars(select(StockBalance).where(
            StockBalance.location_id == location.id, StockBalance.on_hand > 0)
            .order_by(StockBalance.lot_id)).all()
        dispensable = db.session.scalar(select(func.count()).where(
            Kit.location_id == location.id, Kit.state.in_(USABLE_STATES),
            Kit.expires_on >= cutoff)) or 0
        # Ids first: with the eager joins PostgreSQL would scan the whole ledger backwards.
        recent_ids = db.session.scalars(select(StockEntry.id).where(
            StockEntry.location_id == location.id).order_by(StockEntry.id.desc())
            .limit(15)).all()
        recent = db.session.scalars(select(StockEntry).where(StockEntry.id.in_(recent_ids))
                                    .order_by(StockEntry.id.desc())).all()
    status = {b.id: expiry_status(b.lot.expires_on, dns, dnd) for b in balances}
    level = db.session.scalar(select(ResupplyLevel).where(ResupplyLevel.site_id == site.id))
    excursions = db.session.scalars(select(StorageExcursion).where(
        StorageExcursion.site_id == site.id).order_by(StorageExcursion.id.desc()).limit(5)).all()
    return render_template("stock/site.html", site=site, location=location, balances=balances,
                           status=status, dispensable=dispensable, cutoff=cutoff, recent=recent,
                           level=level, excursions=excursions,
                           linked_kits=kits_to_link(current_user, [e.kit_id for e in recent]))


@bp.route("/ledger")
@require("stock.sites")
def ledger():
    """List ledger lines, filtered by location, lot, kit, trial and event: the lines behind."""
    stmt = select(StockEntry).join(Location, StockEntry.location_id == Location.id)
    scope = site_scope(current_user)
    if scope is not None:
        stmt = stmt.where(scope)
    stmt = within_sponsors(stmt, current_user, StockEntry.trial_id)
    stmt = where_id_args(stmt, request.args, {"trial": StockEntry.trial_id,
                                              "lot": StockEntry.lot_id, "kit": StockEntry.kit_id})
    location_id = request.args.get("location", type=int)
    if location_id:
        stmt = stmt.where((Location.id == location_id) | (Location.parent_id == location_id))
    stmt = where_choice_args(stmt, request.args, {"event": (StockEntry.event, EVENTS)})
    listing = build_listing(stmt, sorts={"id": StockEntry.id,
                                         "occurred": StockEntry.occurred_at},
                            default_sort="-id", search_columns=(StockEntry.document_ref,
                                                                StockEntry.reason))
    return render_template("stock/ledger.html", listing=listing, linked_kits=kits_to_link(
        current_user, [e.kit_id for e in listing.items]))


EXPIRY_PAGE = 100


class Page:
    """One page of the expiry report's rows (what the list pager reads)."""

    def __init__(self, total, page):
        self.total = total
        self.pages = max(1, -(-total // EXPIRY_PAGE))
        self.page = min(max(1, page), self.pages)
        self.offset = (self.page - 1) * EXPIRY_PAGE


@bp.route("/expiry")
@require("stock.view")
def expiry_report():
    """Kits that pass DNS or DND or expire within N days, by location and lot."""
    days = max(1, min(request.args.get("days", 90, type=int), 3650))
    rows, end = expiring_kits(db.session, days, request.args.get("trial", type=int))
    rows = [r for r in rows if current_user.sees_trial(r["trial_id"])]
    locations = {loc.id: loc for loc in db.session.scalars(select(Location).where(
        Location.id.in_({r["location_id"] for r in rows})))}
    rows.sort(key=lambda r: (str(locations[r["location_id"]]), r["expires_on"]))
    page = Page(len(rows), request.args.get("page", 1, type=int))
    rows = rows[page.offset:page.offset + EXPIRY_PAGE]
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot).where(
        Lot.id.in_({r["lot_id"] for r in rows})))}
    return render_template("stock/expiry.html", rows=rows, listing=page, truncated=False,
                           days=days, locations=locations, lots=lots,
                           trials=trial_choices(db.session, current_user), end=end)


@bp.route("/locations/<int:location_id>")
@require("stock.sites")
def show_location(location_id):
    """Send a location link to its stock page."""
    location = get_or_404(Location, location_id)
    if not can_see_location(current_user, location):
        abort(404)
    if location.kind == "site":
        return redirect(url_for("stock.show_site_stock", site_id=location.site_id))
    return redirect(url_for("stock.depot_stock", depot=location.depot_id))
