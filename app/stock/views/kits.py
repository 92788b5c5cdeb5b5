"""Kits: list, page with ledger and audit history, state changes, generation and upload."""

import base64

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.forms import GenerateKitsForm, KitActionForm, ReverseForm, UploadKitsForm
from app.stock.models import (
    EXPOSURE_SOURCES,
    KIT_STATES,
    Dispensing,
    Kit,
    KitExposure,
    KitReturn,
    Location,
    Lot,
    StockEntry,
)
from app.stock.queries import depot_choices, kit_filters, trial_choices, visible_kits
from app.stock.services.catalog import supply_settings
from app.stock.services.kit_lists import (
    MAX_FILE_BYTES,
    KitListRefused,
    import_kit_list,
    preview_kit_list,
)
from app.stock.services.kits import generate_kits
from app.stock.services.ledger import move_kits, reverse_entry
from app.stock.services.stability import budget_use
from app.stock.services.supply import expiry_status
from app.stock.states import KIT, REVERSIBLE_EVENTS
from app.trials.api import Trial

# Actions on the kit page: (to state, event); each is offered when the kit machine allows it.
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


@bp.route("/kits")
@require("stock.sites")
def list_kits():
    """List the kits the user may see, filtered and sorted."""
    try:
        stmt = kit_filters(db.session, visible_kits(current_user), request.args)
    except ValueError:
        abort(400)
    listing = build_listing(
        stmt, sorts={"number": Kit.kit_number, "expiry": Kit.expires_on, "state": Kit.state},
        default_sort="expiry", search_columns=(Kit.kit_number,))
    return render_template("stock/kits.html", listing=listing,
                           trials=trial_choices(db.session, current_user))


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
    settings = supply_settings(db.session, kit.trial)
    form = KitActionForm()
    labels = action_labels()
    form.action.choices = [(key, labels[key]) for key, (to, event) in KIT_ACTIONS.items()
                           if KIT.find(kit.state, event, to) is not None]
    dispensing = db.session.scalar(select(Dispensing).where(Dispensing.kit_id == kit.id))
    kit_return = db.session.scalar(select(KitReturn).where(KitReturn.kit_id == kit.id))
    return render_template(
        "stock/kit.html", kit=kit, entries=entries, reversed_ids=reversed_ids,
        expiry=expiry_status(kit.expires_on, settings.dns_days, settings.dnd_days),
        settings=settings, form=form, reverse_form=ReverseForm(), dispensing=dispensing,
        kit_return=kit_return, reversible=REVERSIBLE_EVENTS, budget=budget_use(kit),
        exposures=db.session.scalars(select(KitExposure).where(KitExposure.kit_id == kit.id)
                                     .order_by(KitExposure.id)).all(),
        exposure_sources=EXPOSURE_SOURCES,
        history=history_of(db.session, kit))


@bp.route("/kits/<int:kit_id>/action", methods=["POST"])
@require("stock.manage")
def kit_action(kit_id):
    """Quarantine, release, damage, lose, expire or set aside a kit."""
    kit = get_or_404(Kit, kit_id)
    form = KitActionForm()
    form.action.choices = [(key, key) for key in KIT_ACTIONS]
    to_state, event = KIT_ACTIONS.get(form.action.data, (None, None))

    def act():
        move_kits(db.session, [kit], to_state, event, by=current_user,
                  reason=form.reason.data, document_ref=form.document_ref.data)
        return kit

    return perform(act, form=form, next_url=url_for("stock.show_kit", kit_id=kit.id),
                   success=lambda moved: _("Kit %(kit)s is now %(state)s.",
                                           kit=moved.kit_number, state=KIT_STATES[to_state]))


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@require("stock.manage")
def reverse_ledger_entry(entry_id):
    """Correct a ledger line with a new line that reverses it."""
    entry = get_or_404(StockEntry, entry_id)
    form = ReverseForm()
    return perform(lambda: reverse_entry(db.session, entry, by=current_user,
                                         reason=form.reason.data),
                   form=form, next_url=url_for("stock.show_kit", kit_id=entry.kit_id),
                   success=_("Ledger line %(id)s reversed.", id=entry.id))


@bp.route("/kits/generate", methods=["GET", "POST"])
@require("stock.manage")
def generate():
    """Generate kits with random, non-sequential numbers and receive them at a depot."""
    form = GenerateKitsForm()
    form.trial_id.choices = trial_choices(db.session, current_user)
    form.location_id.choices = depot_choices(db.session)
    lots = db.session.scalars(select(Lot).order_by(Lot.number)).all()
    form.lot_id.choices = [(lot.id, f"{lot.number} · {lot.product}") for lot in lots]

    def render():
        return render_template("stock/generate.html", form=form)

    def create():
        return generate_kits(db.session, get_or_404(Trial, form.trial_id.data),
                             get_or_404(Lot, form.lot_id.data),
                             get_or_404(Location, form.location_id.data), form.count.data,
                             by=current_user, document_ref=form.document_ref.data)

    return perform(create, form=form, render=render,
                   success=lambda kits: _("%(n)s kits generated and received.", n=len(kits)),
                   next_url=lambda kits: url_for("stock.list_kits", trial=form.trial_id.data,
                                                 lot=form.lot_id.data, sort="-expiry"))


@bp.route("/kits/upload", methods=["GET", "POST"])
@require("kits.upload")
def upload():
    """Read a kit list into a preview; import it only when the user confirms.

    The preview shows which column became what, the first rows, the count and every problem
    by row; nothing is imported from a file with any bad row. The file itself is not kept on
    the server between the two steps: the page carries it back.
    """
    form = UploadKitsForm()
    form.trial_id.choices = trial_choices(db.session, current_user)
    form.location_id.choices = depot_choices(db.session)
    state = {"errors": []}

    def render():
        return render_template("stock/upload.html", form=form, errors=state["errors"],
                               preview=state.get("preview"))

    def incoming():
        upload_file = form.file.data
        if upload_file is not None and getattr(upload_file, "filename", ""):
            data = upload_file.read(MAX_FILE_BYTES + 1)
            form.payload_name.data = upload_file.filename[:200]
        else:
            try:
                data = base64.b64decode(form.payload.data or "", validate=True)
            except ValueError:
                data = b""
            if not data:
                raise DomainError(_("Choose the kit list file."), "file")
        form.payload.data = base64.b64encode(data[:MAX_FILE_BYTES + 1]).decode("ascii")
        return data, form.payload_name.data or ""

    def import_list():
        data, filename = incoming()
        trial = get_or_404(Trial, form.trial_id.data)
        try:
            if request.form.get("action") == "import":
                return import_kit_list(
                    db.session, trial, get_or_404(Location, form.location_id.data), data,
                    filename, user=current_user, document_ref=form.document_ref.data,
                    sheet=form.sheet.data or None)
            preview = preview_kit_list(db.session, trial, data, filename, user=current_user,
                                       sheet=form.sheet.data or None)
        except KitListRefused as refusal:
            state["errors"].extend(refusal.lines)
            raise
        state["preview"] = preview
        state["errors"].extend(preview["errors"])
        sheets = preview["table"].sheets
        if len(sheets) > 1:
            form.sheet.choices = [("", _("First sheet with a header"))] + [
                (name, name) for name in sheets]
        return None

    def respond(result):
        if result is None:
            return render()
        flash(_("%(n)s kits imported and received.", n=len(result)), "success")
        return redirect(url_for("stock.list_kits", trial=form.trial_id.data))

    return perform(import_list, form=form, render=render, respond=respond, success=None,
                   next_url=url_for("stock.list_kits", trial=form.trial_id.data))
