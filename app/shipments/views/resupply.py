"""The resupply page: sites below their minimum, turned into shipment proposals."""

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.errors import DomainError
from app.core.permissions import require
from app.extensions import db
from app.shipments import bp
from app.shipments.queries import needs_listed
from app.shipments.services.resupply import LEAD_DAYS, propose_resupply_shipments
from app.stock.api import Location, depots


def _page(chosen=None, depot_id=None, error=None):
    """Render the needs; after a refusal, its message and the choices as they were sent."""
    if error is not None:
        flash(str(error), "danger")
    return render_template("shipments/resupply.html",
                           needs=needs_listed(db.session, request.args),
                           depots=depots(db.session), depot_id=depot_id, lead_days=LEAD_DAYS,
                           chosen=None if chosen is None else set(chosen))


@bp.route("/resupply", methods=["GET", "POST"])
@require("shipments.manage")
def resupply():
    """List the sites that need kits; create draft shipments for the chosen ones."""
    if request.method == "GET":
        return _page()
    depot_id = request.form.get("depot_id", type=int)
    site_ids = request.form.getlist("sites")
    refused = {}

    def propose():
        try:
            return propose_resupply_shipments(db.session, db.session.get(Location, depot_id or 0),
                                              site_ids, by=current_user)
        except DomainError as error:
            refused["error"] = error
            raise

    return perform(propose, render=lambda: _page(site_ids, depot_id, refused.get("error")),
                   success=lambda created: _("%(n)s draft shipments created: %(numbers)s. "
                                             "Order each to propose kits.", n=len(created),
                                             numbers=", ".join(s.number for s in created)),
                   next_url=url_for("shipments.board", status="draft"))
