"""Kits: list, page with ledger and audit history, state changes, generation and upload."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import attach_error, get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.catalog import supply_settings
from app.stock.forms import GenerateKitsForm, KitActionForm, ReverseForm, UploadKitsForm
from app.stock.kits import generate_kits, import_kit_list
from app.stock.ledger import StockError, move_kits, reverse_entry
from app.stock.ledger_models import Dispensing, KitReturn, StockEntry
from app.stock.models import KIT_STATES, Kit, KitArm, Location, Lot
from app.stock.queries import visible_kits, where_id_args
from app.stock.states import ON_HAND_STATES, REVERSIBLE_EVENTS, TRANSITIONS, USABLE_STATES
from app.stock.supply import expiry_status
from app.stock.views_catalog import trial_choices
from app.trials.models import Trial

STATE_GROUPS = {"on_hand": ON_HAND_STATES, "available": USABLE_STATES,
                "quarantined": {"quarantined"}}
# Actions on the kit page: (to state, event) for the states a kit may be in.
KIT_ACTIONS = {
    "quarantine": ("quarantined", "quarantine"), "release": ("available", "release"),
    "damage": ("damaged", "damage"), "loss": ("missing", "loss"),
    "expiry": ("expired", "expiry"), "found": ("available", "adjustment"),
    "destroy_pending": ("pending_destruction", "adjustment"),
}


def action_labels():
    """Return the translated names of the kit page actions."""
    return {"quarantine": _("Quarantine"), "release": _("Release from quarantine"),
            "damage": _("Record damage"), "loss": _("Record as missing"),
            "expiry": _("Record as expired"), "found": _("Found again (available)"),
            "destroy_pending": _("Set aside for destruction")}


def _location_ids(location_id):
    location = db.session.get(Location, location_id)
    if location is None:
        return [0]
    if location.kind == "depot":
        return [location.id, *db.session.scalars(select(Location.id).where(
            Location.parent_id == location.id))]
    return [location.id]


def kit_filters(stmt, args):
    """Apply the kit list filters in args (trial, lot, location, state, group, expiry) to stmt."""
    stmt = where_id_args(stmt, args, {"trial": Kit.trial_id, "lot": Kit.lot_id,
                                      "product": Kit.product_id})
    location_id = args.get("location", type=int)
    if location_id:
        stmt = stmt.where(Kit.location_id.in_(_location_ids(location_id)))
    if args.get("state") in KIT_STATES:
        stmt = stmt.where(Kit.state == args["state"])
    if args.get("group") in STATE_GROUPS:
        stmt = stmt.where(Kit.state.in_(STATE_GROUPS[args["group"]]))
    for name, op in (("expires_from", "__ge__"), ("expires_to", "__le__")):
        value = args.get(name)
        if value:
            try:
                from datetime import date

                stmt = stmt.where(getattr(Kit.expires_on, op)(date.fromisoformat(value)))
            except ValueError:
                abort(400)
    return stmt


@bp.route("/kits")
@require("stock.sites")
def list_kits():
    """List the kits the user may see, filtered and sorted."""
    stmt = kit_filters(visible_kits(current_user), request.args)
    listing = build_listing(
        stmt, sorts={"number": Kit.kit_number, "expiry": Kit.expires_on, "state": Kit.state},
        default_sort="expiry", search_columns=(Kit.kit_number,))
    return render_template("stock/kits.html", listing=listing, trials=trial_choices())


def _visible_kit_or_404(kit_id):
    kit = db.session.scalar(visible_kits(current_user).where(Kit.id == kit_id))
    if kit is None:
        abort(404)
    return kit


@bp.route("/kits/<int:kit_id>")
@require("stock.sites")
def show_kit(kit_id):
    """Show a kit: state, place, lot, expiry, ledger and audit history."""
    kit = _visible_kit_or_404(kit_id)
    entries = db.session.scalars(select(StockEntry).where(StockEntry.kit_id == kit.id)
                                 .order_by(StockEntry.id)).all()
    reversed_ids = {e.reversal_of_id for e in entries if e.reversal_of_id}
    arm = db.session.get(KitArm, kit.id) if current_user.can("kits.arms") else None
    settings = supply_settings(db.session, kit.trial)
    form = KitActionForm()
    labels = action_labels()
    form.action.choices = [(key, labels[key]) for key, (to, event) in KIT_ACTIONS.items()
                           if event in TRANSITIONS.get((kit.state, to), set())]
    dispensing = db.session.scalar(select(Dispensing).where(Dispensing.kit_id == kit.id))
    kit_return = db.session.scalar(select(KitReturn).where(KitReturn.kit_id == kit.id))
    return render_template(
        "stock/kit.html", kit=kit, entries=entries, reversed_ids=reversed_ids, arm=arm,
        expiry=expiry_status(kit.expires_on, settings.dns_days, settings.dnd_days),
        settings=settings, form=form, reverse_form=ReverseForm(), dispensing=dispensing,
        kit_return=kit_return, reversible=REVERSIBLE_EVENTS,
        history=history_of(db.session, kit))


@bp.route("/kits/<int:kit_id>/action", methods=["POST"])
@require("stock.manage")
def kit_action(kit_id):
    """Quarantine, release, damage, lose, expire or set aside a kit."""
    kit = get_or_404(Kit, kit_id)
    form = KitActionForm()
    form.action.choices = [(key, key) for key in KIT_ACTIONS]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("stock.show_kit", kit_id=kit.id))
    to_state, event = KIT_ACTIONS[form.action.data]
    try:
        move_kits(db.session, [kit], to_state, event, by=current_user,
                  reason=form.reason.data, document_ref=form.document_ref.data)
    except StockError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Kit %(kit)s is now %(state)s.", kit=kit.kit_number,
                state=KIT_STATES[to_state]), "success")
    return redirect(url_for("stock.show_kit", kit_id=kit.id))


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@require("stock.manage")
def reverse_ledger_entry(entry_id):
    """Correct a ledger line with a new line that reverses it."""
    entry = get_or_404(StockEntry, entry_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the correction."), "danger")
        return redirect(url_for("stock.show_kit", kit_id=entry.kit_id))
    try:
        reverse_entry(db.session, entry, by=current_user, reason=form.reason.data)
    except StockError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Ledger line %(id)s reversed.", id=entry.id), "success")
    return redirect(url_for("stock.show_kit", kit_id=entry.kit_id))


def _depot_choices():
    locations = db.session.scalars(select(Location).where(Location.kind.in_(("depot", "zone")),
                                                          Location.active.is_(True))).all()
    return sorted(((loc.id, str(loc)) for loc in locations), key=lambda c: c[1])


@bp.route("/kits/generate", methods=["GET", "POST"])
@require("stock.manage")
def generate():
    """Generate kits with random, non-sequential numbers and receive them at a depot."""
    form = GenerateKitsForm()
    form.trial_id.choices = trial_choices()
    form.location_id.choices = _depot_choices()
    lots = db.session.scalars(select(Lot).order_by(Lot.number)).all()
    form.lot_id.choices = [(lot.id, f"{lot.number} · {lot.product}") for lot in lots]
    if form.validate_on_submit():
        trial = get_or_404(Trial, form.trial_id.data)
        try:
            kits = generate_kits(db.session, trial, get_or_404(Lot, form.lot_id.data),
                                 get_or_404(Location, form.location_id.data), form.count.data,
                                 by=current_user, document_ref=form.document_ref.data)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("%(n)s kits generated and received.", n=len(kits)), "success")
            return redirect(url_for("stock.list_kits", trial=trial.id,
                                    lot=form.lot_id.data, sort="-expiry"))
    return render_template("stock/generate.html", form=form)


@bp.route("/kits/upload", methods=["GET", "POST"])
@require("kits.upload")
def upload():
    """Import a kit list; every bad row is reported with its line and nothing is imported."""
    form = UploadKitsForm()
    form.trial_id.choices = trial_choices()
    form.location_id.choices = _depot_choices()
    errors = []
    if form.validate_on_submit():
        trial = get_or_404(Trial, form.trial_id.data)
        upload_file = form.file.data
        data = upload_file.read(5 * 1024 * 1024 + 1)
        try:
            if len(data) > 5 * 1024 * 1024:
                raise StockError(_("The file is larger than 5 MB."), "file")
            kits, errors = import_kit_list(
                db.session, trial, get_or_404(Location, form.location_id.data), data,
                upload_file.filename or "", user=current_user,
                document_ref=form.document_ref.data)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            if errors:
                db.session.rollback()
            else:
                db.session.commit()
                flash(_("%(n)s kits imported and received.", n=len(kits)), "success")
                return redirect(url_for("stock.list_kits", trial=trial.id))
    return render_template("stock/upload.html", form=form, errors=errors)
