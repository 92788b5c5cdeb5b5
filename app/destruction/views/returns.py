"""A return shipment: the site scans kits with their condition; the depot receives by scan."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.actions import perform
from app.core.permissions import require
from app.destruction import bp
from app.destruction.forms import ReturnScanForm
from app.destruction.models import ReturnedKit
from app.destruction.services.returns import (
    declare_returned_kit,
    is_return_to_zone,
    receive_return,
)
from app.extensions import db
from app.shipments.api import Discrepancy, Shipment, scan_at_receipt


def return_or_404(shipment_id):
    """Return a return shipment to a returns zone the user may see, else 404."""
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or not is_return_to_zone(db.session, shipment) or \
            not current_user.sees_site("destruction.view", shipment.origin.site_id):
        abort(404)
    return shipment


def _url(shipment, anchor=""):
    return url_for("destruction.show_return", shipment_id=shipment.id) + anchor


def render_return(shipment, scan=None, receipt=None, sign=None):
    """Show the return with its forms (a refused one as typed)."""
    from app.esign.forms import SignForm
    from app.shipments.forms import ReceiptScanForm

    declared = {r.kit_id: r for r in db.session.scalars(
        select(ReturnedKit).where(ReturnedKit.shipment_id == shipment.id))}
    sign = sign or SignForm(meaning="received")
    sign.meaning.data = "received"
    discrepancies = db.session.scalars(select(Discrepancy).where(
        Discrepancy.shipment_id == shipment.id).order_by(Discrepancy.id)).all()
    return render_template("destruction/return.html", shipment=shipment, declared=declared,
                           scan=scan or ReturnScanForm(), receipt=receipt or ReceiptScanForm(),
                           sign=sign, discrepancies=discrepancies)


@bp.route("/returns/<int:shipment_id>")
@require("destruction.view")
def show_return(shipment_id):
    """Show what the site sends back and how it arrived."""
    return render_return(return_or_404(shipment_id))


@bp.route("/returns/<int:shipment_id>/scan", methods=["POST"])
@require("destruction.return")
def scan_return(shipment_id):
    """Record one kit going back with its condition (the site's scan)."""
    shipment = return_or_404(shipment_id)
    form = ReturnScanForm()
    return perform(lambda: declare_returned_kit(
        db.session, shipment, form.kit_number.data, form.condition.data,
        form.units_remaining.data, by=current_user), form=form,
        render=lambda: render_return(shipment, scan=form),
        success=lambda row: _("Kit %(kit)s: %(condition)s.", kit=row.kit.kit_number,
                              condition=row.condition_label),
        next_url=_url(shipment, "#scan"))


@bp.route("/returns/<int:shipment_id>/receipt-scan", methods=["POST"])
@require("destruction.manage")
def scan_return_receipt(shipment_id):
    """Record one kit found in the boxes at the depot."""
    from app.shipments.forms import ReceiptScanForm

    shipment = return_or_404(shipment_id)
    form = ReceiptScanForm()
    return perform(lambda: scan_at_receipt(db.session, shipment, form.kit_number.data,
                                           form.outcome.data, by=current_user), form=form,
                   render=lambda: render_return(shipment, receipt=form),
                   success=lambda line: _("Kit %(kit)s scanned.", kit=line.kit.kit_number),
                   next_url=_url(shipment, "#receipt"))


@bp.route("/returns/<int:shipment_id>/receive", methods=["POST"])
@require("destruction.manage")
def receive(shipment_id):
    """Sign the depot receipt: kits go to the returns zone pending destruction."""
    from app.esign.forms import SignForm

    shipment = return_or_404(shipment_id)
    form = SignForm()
    return perform(lambda: receive_return(db.session, shipment, by=current_user,
                                          password=form.password.data,
                                          comment=form.comment.data),
                   form=form, render=lambda: render_return(shipment, sign=form),
                   success=lambda c: _("Return received: %(ok)s kits in good condition, "
                                       "%(damaged)s damaged, %(missing)s missing; "
                                       "%(differences)s differences opened.", **c),
                   next_url=_url(shipment, "#receipt"))
