"""Products, lots (their status changes through the lot machine) and per-trial supply settings."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.listing import build_listing, where_choice_args, where_id_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.forms import (
    BlindedLotForm,
    LotForm,
    LotStatusForm,
    ProductForm,
    SupplySettingsForm,
)
from app.stock.models import LOT_STATUSES, Kit, Lot, Product, StockBalance
from app.stock.queries import trial_choices
from app.stock.services.catalog import (
    change_lot_status,
    create_blinded_lot,
    create_lot,
    save_product,
    save_supply_settings,
    supply_settings,
)
from app.stock.states import LOT, LOT_EVENTS
from app.trials.api import Trial, within_sponsors


@bp.route("/products")
@require("stock.view")
def list_products():
    """List products with search and sort."""
    listing = build_listing(
        select(Product),
        sorts={"name": Product.name, "kind": Product.kind, "strength": Product.strength},
        default_sort="name", search_columns=(Product.name, Product.strength, Product.form))
    counts = dict(db.session.execute(
        select(Kit.product_id, func.count()).where(
            Kit.product_id.in_([p.id for p in listing.items])).group_by(Kit.product_id)).all())
    return render_template("stock/products.html", listing=listing, counts=counts)


@bp.route("/products/new", methods=["GET", "POST"])
@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@require("stock.manage")
def edit_product(product_id=None):
    """Create or change a product."""
    product = get_or_404(Product, product_id) if product_id else None
    form = ProductForm(obj=product)

    def render():
        return render_template("stock/product_form.html", form=form, product=product)

    return perform(lambda: save_product(db.session, form.data, product), form=form,
                   render=render, next_url=url_for("stock.list_products"),
                   success=lambda saved: _("Product %(name)s saved.", name=saved.name))


@bp.route("/lots")
@require("stock.view")
def list_lots():
    """List lots, filtered by trial, product, status and kind."""
    stmt = within_sponsors(select(Lot).join(Product, Lot.product_id == Product.id),
                           current_user, Lot.trial_id)
    stmt = where_id_args(stmt, request.args, {"trial": Lot.trial_id, "product": Lot.product_id})
    stmt = where_choice_args(stmt, request.args, {"status": (Lot.status, LOT_STATUSES)})
    if request.args.get("kind") in ("blinded", "manufacturing"):
        stmt = stmt.where(Lot.blinded.is_(request.args["kind"] == "blinded"))
    listing = build_listing(
        stmt, sorts={"number": Lot.number, "product": Product.name, "expiry": Lot.expires_on,
                     "status": Lot.status},
        default_sort="expiry", search_columns=(Lot.number, Lot.manufacturer, Product.name))
    counts = dict(db.session.execute(
        select(Kit.lot_id, func.count()).where(Kit.lot_id.in_([lot.id for lot in listing.items]))
        .group_by(Kit.lot_id)).all())
    products = db.session.scalars(select(Product).order_by(Product.name)).all()
    return render_template("stock/lots.html", listing=listing, counts=counts,
                           trials=trial_choices(db.session, current_user),
                           product_options=[(p.id, p.name) for p in products])


def _lot_created(lot):
    return url_for("stock.show_lot", lot_id=lot.id)


@bp.route("/lots/new", methods=["GET", "POST"])
@require("stock.manage")
def new_lot():
    """Register a manufacturing lot."""
    form = LotForm()
    form.product_id.choices = [(p.id, str(p)) for p in db.session.scalars(
        select(Product).order_by(Product.name))]
    form.trial_id.choices = trial_choices(db.session, current_user, blank=True)

    def render():
        return render_template("stock/lot_form.html", form=form, blinded=False)

    return perform(lambda: create_lot(db.session, form.data), form=form, render=render,
                   next_url=_lot_created,
                   success=lambda lot: _("Lot %(lot)s registered.", lot=lot.number))


@bp.route("/lots/blinded/new", methods=["GET", "POST"])
@require("stock.manage")
def new_blinded_lot():
    """Group matching active and placebo lots into a blinded lot."""
    form = BlindedLotForm()
    form.trial_id.choices = trial_choices(db.session, current_user)
    lots = db.session.scalars(select(Lot).where(Lot.blinded.is_(False))
                              .order_by(Lot.number)).all()
    form.members.choices = [(lot.id, f"{lot.number} · {lot.product}") for lot in lots]

    def render():
        return render_template("stock/lot_form.html", form=form, blinded=True)

    def create():
        members = [lot for lot in lots if lot.id in form.members.data]
        return create_blinded_lot(db.session, get_or_404(Trial, form.trial_id.data),
                                  form.number.data, members)

    return perform(create, form=form, render=render, next_url=_lot_created,
                   success=lambda lot: _("Blinded lot %(lot)s created.", lot=lot.number))


def _lot_status_form(lot):
    form = LotStatusForm()
    # Certification and release per country are signed steps of the labelling pages.
    form.event.choices = [(t.event, LOT_EVENTS[t.event])
                          for t in LOT.available(lot, current_user)
                          if t.permission == "stock.manage"]
    return form


def _render_lot(lot, form):
    balances = db.session.scalars(select(StockBalance).where(
        StockBalance.lot_id == lot.id, StockBalance.on_hand > 0)).all()
    blinded_in = db.session.scalars(select(Lot).where(Lot.members.any(Lot.id == lot.id))).all() \
        if not lot.blinded else []
    return render_template("stock/lot.html", lot=lot, form=form, balances=balances,
                           blinded_in=blinded_in, history=history_of(db.session, lot))


@bp.route("/lots/<int:lot_id>")
@require("stock.view")
def show_lot(lot_id):
    """Show a lot: what it groups, where its kits are, its status and history."""
    lot = get_or_404(Lot, lot_id)
    return _render_lot(lot, _lot_status_form(lot))


@bp.route("/lots/<int:lot_id>", methods=["POST"], endpoint="change_lot_status")
@require("stock.manage")
def change_lot_status_view(lot_id):
    """Release, reject, recall, hold or expire a lot, with a reason."""
    lot = get_or_404(Lot, lot_id)
    form = _lot_status_form(lot)

    def change():
        change_lot_status(db.session, lot, form.event.data, reason=form.reason.data,
                          by=current_user)
        return lot

    return perform(change, form=form, render=lambda: _render_lot(lot, form),
                   next_url=url_for("stock.show_lot", lot_id=lot.id),
                   success=lambda changed: _("Lot %(lot)s is now %(status)s.", lot=changed.number,
                                             status=LOT_STATUSES[changed.status]))


@bp.route("/trials/<int:trial_id>/settings", methods=["GET", "POST"])
@require("stock.manage")
def trial_settings(trial_id):
    """Set a trial's do-not-ship and do-not-dispense windows."""
    trial = get_or_404(Trial, trial_id)
    current = supply_settings(db.session, trial)
    form = SupplySettingsForm(dns_days=current.dns_days, dnd_days=current.dnd_days)

    def render():
        return render_template("stock/settings.html", form=form, trial=trial)

    if request.method == "GET":
        form.reason.data = ""
    return perform(lambda: save_supply_settings(db.session, trial, form.dns_days.data,
                                                form.dnd_days.data, form.reason.data),
                   form=form, render=render,
                   next_url=url_for("stock.depot_stock", trial=trial.id),
                   success=_("Supply settings of %(trial)s saved.", trial=trial.protocol_code))
