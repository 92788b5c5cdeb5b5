"""Resupply levels per site and kit type, and the trial's kit types and visit schedule."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core import clock
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.forms import KitTypeForm, ResupplyLevelForm
from app.stock.models import KitType, Location, Product
from app.stock.queries import trial_choices
from app.stock.services.catalog import save_resupply_level, site_location, supply_settings
from app.stock.services.kittypes import (
    kit_types,
    save_kit_type,
    save_kit_type_level,
    set_visit_kit_types,
    visit_needs,
)
from app.stock.services.supply import RESUPPLY_LEAD_DAYS, resupply_needs
from app.trials.api import Site, Trial, TrialVisit


def _trial():
    choices = trial_choices(db.session, current_user)
    trial_id = request.args.get("trial", type=int) or (choices[0][0] if choices else None)
    allowed = {c[0] for c in choices}
    trial = db.session.get(Trial, trial_id) if trial_id in allowed else None
    return trial, choices


@bp.route("/resupply")
@require("stock.view")
def resupply():
    """Minimum and maximum per site and kit type, with the kits each can still dispense.

    What to ship is on the shipments' resupply page, computed by the same definition.
    """
    trial, choices = _trial()
    rows, settings, types = [], None, []
    if trial is not None:
        settings = supply_settings(db.session, trial)
        types = kit_types(db.session, trial)
        arrival = clock.today() + timedelta(days=RESUPPLY_LEAD_DAYS)
        known = {(n.site.id, n.kit_type.id if n.kit_type else 0): n
                 for n in resupply_needs(db.session, trial, arrival=arrival, only_short=False)}
        sites = db.session.scalars(select(Site).where(Site.trial_id == trial.id)
                                   .order_by(Site.site_number)).all()
        for site in sites:
            for kit_type in (types or [None]):
                need = known.get((site.id, kit_type.id if kit_type else 0))
                form = ResupplyLevelForm(
                    prefix=f"s{site.id}t{kit_type.id if kit_type else 0}",
                    minimum=need.minimum if need else None,
                    maximum=need.maximum if need else None)
                rows.append((site, kit_type, need, form))
    locations = {loc.site_id: loc for loc in db.session.scalars(select(Location).where(
        Location.site_id.in_([r[0].id for r in rows])))} if rows else {}
    cutoff = (clock.today() + timedelta(days=RESUPPLY_LEAD_DAYS + settings.dnd_days)
              if settings else None)
    return render_template("stock/resupply.html", trial=trial, trials=choices, rows=rows,
                           settings=settings, cutoff=cutoff, locations=locations,
                           lead_days=RESUPPLY_LEAD_DAYS, kit_types=types)


@bp.route("/resupply/sites/<int:site_id>", methods=["POST"])
@require("stock.manage")
def save_level(site_id):
    """Save a site's resupply minimum and maximum (for one kit type when the trial has them)."""
    site = get_or_404(Site, site_id)
    kit_type_id = request.args.get("kit_type", 0, type=int)
    kit_type = get_or_404(KitType, kit_type_id) if kit_type_id else None
    form = ResupplyLevelForm(prefix=f"s{site.id}t{kit_type_id}")
    back = url_for("stock.resupply", trial=site.trial_id)
    if not form.validate_on_submit():  # two small fields in a table row: one message says it
        flash(_("Give a minimum of 0 or more and a maximum above it."), "danger")
        return redirect(back)

    def save():
        if kit_type is not None:
            save_kit_type_level(db.session, site, kit_type, form.minimum.data,
                                form.maximum.data)
        else:
            save_resupply_level(db.session, site, form.minimum.data, form.maximum.data)
        site_location(db.session, site)

    return perform(save, form=form, validate=False, next_url=back, refused_url=back,
                   success=_("Resupply levels of site %(site)s saved.", site=site.site_number))


@bp.route("/kit-types", methods=["GET", "POST"])
@require("stock.view")
def list_kit_types():
    """The trial's kit types and, per visit of the schedule, the kits it dispenses."""
    trial, choices = _trial()
    form = KitTypeForm()
    form.product_ids.choices = [(p.id, str(p)) for p in db.session.scalars(
        select(Product).order_by(Product.name))]
    types = kit_types(db.session, trial) if trial else []
    visits = [v for v in trial.visits if v.active] if trial else []

    def render():
        needs = {v.id: {n.kit_type_id: n.quantity for n in visit_needs(db.session, v)}
                 for v in visits}
        return render_template("stock/kit_types.html", trial=trial, trials=choices,
                               form=form, kit_types=types, visits=visits, needs=needs)

    if request.method == "GET" or not current_user.can("stock.manage") or trial is None:
        return render()
    return perform(lambda: save_kit_type(db.session, trial, form.code.data, form.name.data,
                                         form.product_ids.data),
                   form=form, render=render,
                   success=lambda t: _("Kit type %(code)s saved.", code=t.code),
                   next_url=url_for("stock.list_kit_types", trial=trial.id))


@bp.route("/visits/<int:visit_id>/kit-types", methods=["POST"])
@require("stock.manage")
def save_visit_kit_types(visit_id):
    """Save how many kits of each type a visit dispenses."""
    visit = get_or_404(TrialVisit, visit_id)
    back = url_for("stock.list_kit_types", trial=visit.trial_id)
    quantities = {}
    for kit_type in kit_types(db.session, visit.trial):
        raw = (request.form.get(f"q{kit_type.id}") or "0").strip()
        if not raw.isdigit():
            flash(_("Give a number of kits between 0 and 20."), "danger")
            return redirect(back)
        quantities[kit_type] = int(raw)

    def save():
        if not quantities:
            raise DomainError(_("Define the trial's kit types first."))
        set_visit_kit_types(db.session, visit, quantities)

    return perform(save, validate=False, next_url=back, refused_url=back,
                   success=_("Kits of visit %(n)s saved.", n=visit.number))
