"""Kit arms (unblinded only): the kit list with arms, and kits with their arm."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.blinding import bp
from app.blinding.forms import ArmKitListForm
from app.blinding.models import KitArm
from app.blinding.services.arms import import_arm_kit_list
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.extensions import db
from app.stock.api import Kit, KitListRefused, Location, depots
from app.trials.api import Trial, visible_trials


@bp.route("/kits")
@require("blinding.arms")
def list_kit_arms():
    """Kits with their treatment arm."""
    stmt = select(Kit).join(KitArm, KitArm.kit_id == Kit.id)
    trial_id = request.args.get("trial", type=int)
    if trial_id:
        stmt = stmt.where(Kit.trial_id == trial_id)
    listing = build_listing(stmt, sorts={"number": Kit.kit_number, "arm": KitArm.arm},
                            default_sort="number", search_columns=(Kit.kit_number, KitArm.arm))
    arms = dict(db.session.execute(select(KitArm.kit_id, KitArm.arm).where(
        KitArm.kit_id.in_([k.id for k in listing.items]))).all())
    return render_template("blinding/kits.html", listing=listing, arms=arms)


@bp.route("/kits/upload", methods=["GET", "POST"])
@require("blinding.arms")
def upload_arm_kits():
    """Upload kits with their arms: stock receives the kits, blinding keeps the arms."""
    form = ArmKitListForm()
    form.trial_id.choices = [(t.id, t.protocol_code) for t in db.session.scalars(
        visible_trials(current_user, "blinding.arms").where(Trial.blinded.is_(True))
        .order_by(Trial.protocol_code))]
    form.location_id.choices = [(loc.id, loc.name) for loc in depots(db.session)]
    bad_lines = []

    def act():
        trial = db.session.get(Trial, form.trial_id.data)
        location = db.session.get(Location, form.location_id.data)
        try:
            return import_arm_kit_list(db.session, trial, location, form.file.data.read(),
                                       form.file.data.filename or "", user=current_user)
        except KitListRefused as refused:
            bad_lines.extend(refused.lines)
            raise

    return perform(act, form=form, render=lambda: render_template(
        "blinding/kits_upload.html", form=form, bad_lines=bad_lines),
        success=lambda kits: _("%(n)s kits received with their arms.", n=len(kits)),
        next_url=url_for("blinding.list_kit_arms"))
