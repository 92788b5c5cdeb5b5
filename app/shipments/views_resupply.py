"""The resupply page: sites below their minimum, turned into shipment proposals."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.permissions import require
from app.extensions import db
from app.shipments import bp
from app.shipments.resupply import active_trials, open_needs, propose_resupply_shipments
from app.shipments.services import ShipmentError
from app.stock.models import Location
from app.stock.queries import depots


@bp.route("/resupply", methods=["GET", "POST"])
@require("shipments.manage")
def resupply():
    """List the sites that need kits; create draft shipments for the chosen ones."""
    if request.method == "POST":
        depot = db.session.get(Location, request.form.get("depot_id", type=int) or 0)
        site_ids = [int(v) for v in request.form.getlist("sites") if v.isdigit()]
        try:
            created = propose_resupply_shipments(db.session, depot, site_ids, by=current_user)
        except ShipmentError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("%(n)s draft shipments created: %(numbers)s. Order each to propose kits.",
                    n=len(created), numbers=", ".join(s.number for s in created)), "success")
            return redirect(url_for("shipments.board", status="draft"))
    needs = open_needs(db.session, active_trials(db.session))
    return render_template("shipments/resupply.html", needs=needs, depots=depots(db.session))
