"""Products, lots, blinded lots and per-trial supply settings."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import attach_error, get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.catalog import (
    change_lot_status,
    create_blinded_lot,
    create_lot,
    save_product,
    save_supply_settings,
    supply_settings,
)
from app.stock.forms import (
    BlindedLotForm,
    LotForm,
    LotStatusForm,
    ProductForm,
    SupplySettingsForm,
)
from app.stock.ledger import StockError
from app.stock.ledger_models import StockBalance
from app.stock.models import LOT_STATUSES, Kit, Lot, Product
from app.trials.models import Trial
from app.trials.queries import visible_trials


def trial_choices(blank=False):
    """Return (id, code) choices of the trials the user may see."""
    trials = db.session.scalars(visible_trials(current_user).where(Trial.kind == "drug")
                                .order_by(Trial.protocol_code))
    choices = [(t.id, t.protocol_code) for t in trials]
    return ([(0, _("None (any trial)"))] if blank else []) + choices


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
    if form.validate_on_submit():
        try:
            product = save_product(db.session, form.data, product)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Product %(name)s saved.", name=product.name), "success")
            return redirect(url_for("stock.list_products"))
    return render_template("stock/product_form.html", form=form, product=product)


@bp.route("/lots")
@require("stock.view")
def list_lots():
    """List lots, filtered by trial, product, status and kind."""
    stmt = select(Lot).join(Product, Lot.product_id == Product.id)
    trial_id = request.args.get("trial", type=int)
    if trial_id:
        stmt = stmt.where(Lot.trial_id == trial_id)
    product_id = request.args.get("product", type=int)
    if product_id:
        stmt = stmt.where(Lot.product_id == product_id)
    status = request.args.get("status")
    if status in LOT_STATUSES:
        stmt = stmt.where(Lot.status == status)
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
                           trials=trial_choices(),
                           product_options=[(p.id, p.name) for p in products])


@bp.route("/lots/new", methods=["GET", "POST"])
@require("stock.manage")
def new_lot():
    """Register a manufacturing lot."""
    form = LotForm()
    form.product_id.choices = [(p.id, str(p)) for p in db.session.scalars(
        select(Product).order_by(Product.name))]
    form.trial_id.choices = trial_choices(blank=True)
    if form.validate_on_submit():
        try:
            lot = create_lot(db.session, form.data)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Lot %(lot)s registered.", lot=lot.number), "success")
            return redirect(url_for("stock.show_lot", lot_id=lot.id))
    return render_template("stock/lot_form.html", form=form, blinded=False)


@bp.route("/lots/blinded/new", methods=["GET", "POST"])
@require("stock.manage")
def new_blinded_lot():
    """Group matching active and placebo lots into a blinded lot."""
    form = BlindedLotForm()
    form.trial_id.choices = trial_choices()
    lots = db.session.scalars(select(Lot).where(Lot.blinded.is_(False))
                              .order_by(Lot.number)).all()
    form.members.choices = [(lot.id, f"{lot.number} · {lot.product}") for lot in lots]
    if form.validate_on_submit():
        members = [lot for lot in lots if lot.id in form.members.data]
        try:
            lot = create_blinded_lot(db.session, get_or_404(Trial, form.trial_id.data),
                                     form.number.data, members)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Blinded lot %(lot)s created.", lot=lot.number), "success")
            return redirect(url_for("stock.show_lot", lot_id=lot.id))
    return render_template("stock/lot_form.html", form=form, blinded=True)


@bp.route("/lots/<int:lot_id>", methods=["GET", "POST"])
@require("stock.view")
def show_lot(lot_id):
    """Show a lot: what it groups, where its kits are, its status and history."""
    lot = get_or_404(Lot, lot_id)
    form = LotStatusForm(status=lot.status)
    if request.method == "POST":
        if not current_user.can("stock.manage"):
            return render_template("errors/403.html"), 403
        if form.validate_on_submit():
            change_lot_status(db.session, lot, form.status.data, form.reason.data)
            db.session.commit()
            flash(_("Lot %(lot)s is now %(status)s.", lot=lot.number,
                    status=LOT_STATUSES[lot.status]), "success")
            return redirect(url_for("stock.show_lot", lot_id=lot.id))
    balances = db.session.scalars(select(StockBalance).where(
        StockBalance.lot_id == lot.id, StockBalance.on_hand > 0)).all()
    blinded_in = db.session.scalars(select(Lot).where(Lot.members.any(Lot.id == lot.id))).all() \
        if not lot.blinded else []
    return render_template("stock/lot.html", lot=lot, form=form, balances=balances,
                           blinded_in=blinded_in, history=history_of(db.session, lot))


@bp.route("/trials/<int:trial_id>/settings", methods=["GET", "POST"])
@require("stock.manage")
def trial_settings(trial_id):
    """Set a trial's do-not-ship and do-not-dispense windows."""
    trial = get_or_404(Trial, trial_id)
    current = supply_settings(db.session, trial)
    form = SupplySettingsForm(dns_days=current.dns_days, dnd_days=current.dnd_days)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            save_supply_settings(db.session, trial, form.dns_days.data, form.dnd_days.data,
                                 form.reason.data)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Supply settings of %(trial)s saved.", trial=trial.protocol_code),
                  "success")
            return redirect(url_for("stock.depot_stock", trial=trial.id))
    return render_template("stock/settings.html", form=form, trial=trial)
