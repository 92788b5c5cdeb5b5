"""The overview: returns on their way, reconciliations, authorisations and batches."""

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.core.listing import build_listing
from app.core.permissions import require
from app.destruction import bp
from app.destruction.models import Authorisation, DestructionBatch
from app.destruction.queries import WAITING, batches, reconciliations, waiting
from app.destruction.services.returns import returns_zone_ids
from app.extensions import db
from app.shipments.api import Shipment

BATCH_SORTS = {"number": DestructionBatch.number, "date": DestructionBatch.destroyed_on,
               "status": DestructionBatch.status, "created": DestructionBatch.created_at}


@bp.route("/")
@require("destruction.view")
def index():
    """List returns, reconciliations, authorisations and destruction batches."""
    what = request.args.get("waiting")
    if what in WAITING and what in ("witness", "execute"):
        stmt = waiting(current_user, what)
    else:
        stmt = batches(current_user)
        status = request.args.get("status")
        if status:
            stmt = stmt.where(DestructionBatch.status == status)
    listing = build_listing(stmt.order_by(None), sorts=BATCH_SORTS, default_sort="-created",
                            search_columns=(DestructionBatch.number,
                                            DestructionBatch.certificate_number,
                                            DestructionBatch.contractor))
    recs = db.session.scalars((waiting(current_user, what) if what in ("verify", "explain")
                               else reconciliations(current_user)).limit(50)).all()
    scope = current_user.site_scope("destruction.view")
    returns = select(Shipment).where(Shipment.kind == "return",
                                     Shipment.destination_id.in_(returns_zone_ids(db.session)),
                                     Shipment.status.not_in(("closed", "cancelled")))
    if scope is not None:
        from app.stock.api import Location

        returns = returns.join(Location, Location.id == Shipment.origin_id).where(
            Location.site_id.in_(scope))
    shipments = db.session.scalars(returns.order_by(Shipment.id.desc()).limit(50)).all()
    auths = db.session.scalars(select(Authorisation).order_by(Authorisation.id.desc())
                               .limit(50)).all() if scope is None else []
    return render_template("destruction/index.html", listing=listing, reconciliations=recs,
                           returns=shipments, authorisations=auths, waiting=what)
