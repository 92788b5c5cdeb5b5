"""Dry shippers: list, register, charge, return, requalify, retire."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.celltherapy import bp
from app.celltherapy.forms import ChargeForm, ReasonForm, RequalifyForm, ShipperForm
from app.celltherapy.models import SHIPPER_STATUSES, DryShipper
from app.celltherapy.queries import shipper_or_404
from app.celltherapy.services import shippers as service
from app.core.actions import perform
from app.core.listing import build_listing, where_choice_args
from app.core.models import utcnow
from app.core.permissions import require
from app.esign.services import signatures_for
from app.extensions import db

SHIPPER_FORMS = {"charge": ChargeForm, "requalify": RequalifyForm, "retire": ReasonForm}


@bp.route("/shippers")
@require("celltherapy.view")
def list_shippers():
    """Dry shippers: search by number, filter by state."""
    stmt = where_choice_args(db.select(DryShipper), request.args,
                             {"status": (DryShipper.status, SHIPPER_STATUSES)})
    listing = build_listing(stmt, sorts={"code": DryShipper.code,
                                         "until": DryShipper.qualified_until},
                            default_sort="code", search_columns=(DryShipper.code,))
    return render_template("celltherapy/shippers.html", listing=listing,
                           statuses=SHIPPER_STATUSES, form=ShipperForm(formdata=None),
                           now=utcnow())


@bp.route("/shippers/new", methods=["POST"])
@require("celltherapy.shippers")
def new_shipper():
    """Register a dry shipper."""
    form = ShipperForm()

    def action():
        return service.register(db.session, code=form.code.data, id_kind=form.id_kind.data,
                                model_name=form.model_name.data,
                                static_hold_hours=form.static_hold_hours.data,
                                qualified_until=form.qualified_until.data)

    return perform(action, form=form, success=_("Dry shipper registered."),
                   next_url=lambda shipper: url_for(".show_shipper", shipper_id=shipper.id),
                   refused_url=url_for(".list_shippers"))


def shipper_page(shipper, status=200, **given):
    """Render the shipper page with its forms (a refused one as typed)."""
    forms = {name: given.get(name) or cls(formdata=None) for name, cls in SHIPPER_FORMS.items()}
    return render_template("celltherapy/shipper.html", shipper=shipper, forms=forms,
                           now=utcnow(), signatures=signatures_for(db.session, shipper)), status


@bp.route("/shippers/<int:shipper_id>")
@require("celltherapy.view")
def show_shipper(shipper_id):
    """A dry shipper: hold time, charging, qualification, history."""
    return shipper_page(shipper_or_404(shipper_id))


def _shipper_step(shipper_id, form, name, action, message):
    shipper = shipper_or_404(shipper_id)
    return perform(lambda: action(shipper), form=form, success=message,
                   next_url=url_for(".show_shipper", shipper_id=shipper.id),
                   render=lambda: shipper_page(shipper, 422, **{name: form}))


@bp.route("/shippers/<int:shipper_id>/charge", methods=["POST"])
@require("celltherapy.shippers")
def charge_shipper(shipper_id):
    """Record the charging before a use."""
    form = ChargeForm()
    return _shipper_step(shipper_id, form, "charge", lambda shipper: service.charge(
        db.session, shipper, record=form.record.data, by=current_user), _("Charging recorded."))


@bp.route("/shippers/<int:shipper_id>/return", methods=["POST"])
@require("celltherapy.shippers")
def return_shipper(shipper_id):
    """Record the shipper back from a use."""
    return _shipper_step(shipper_id, None, "charge", lambda shipper: service.return_shipper(
        db.session, shipper, current_user), _("Return recorded: requalify it before use."))


@bp.route("/shippers/<int:shipper_id>/requalify", methods=["POST"])
@require("celltherapy.shippers")
def requalify_shipper(shipper_id):
    """Record a requalification."""
    form = RequalifyForm()
    return _shipper_step(shipper_id, form, "requalify", lambda shipper: service.requalify(
        db.session, shipper, qualified_until=form.qualified_until.data, by=current_user),
        _("Requalification recorded."))


@bp.route("/shippers/<int:shipper_id>/retire", methods=["POST"])
@require("celltherapy.shippers")
def retire_shipper(shipper_id):
    """Retire the shipper."""
    form = ReasonForm()
    return _shipper_step(shipper_id, form, "retire", lambda shipper: service.retire(
        db.session, shipper, reason=form.reason.data, by=current_user),
        _("Dry shipper retired."))
