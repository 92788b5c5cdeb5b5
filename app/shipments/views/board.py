"""The shipment board, its notices and its Excel export."""


from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.exports.excel import xlsx_response
from app.extensions import db
from app.notify.models import Notice
from app.shipments import bp
from app.shipments.exports import board_sheet
from app.shipments.models import Shipment
from app.shipments.queries import (
    apply_filters,
    board_locations,
    is_overdue,
    overdue_days,
    visible_shipments,
)
from app.shipments.services.notices import SHIPMENT_NOTICES, mark_notices_read
from app.trials.api import Trial, visible_trials

BOARD_SORTS = {"number": Shipment.number, "status": Shipment.status,
               "dispatched": Shipment.dispatched_at, "arrival": Shipment.expected_arrival,
               "created": Shipment.created_at}


def _board_statement():
    return apply_filters(visible_shipments(current_user), request.args, current_user)


@bp.route("/")
@require("shipments.view")
def board():
    """List shipments with their state, route, dates and open problems."""
    # Separate small loads of trials and places keep deep pages cheap (no wide joins).
    stmt = _board_statement().options(selectinload(Shipment.trial),
                                      selectinload(Shipment.origin),
                                      selectinload(Shipment.destination))
    listing = build_listing(stmt, sorts=BOARD_SORTS, default_sort="-created",
                            search_columns=(Shipment.number, Shipment.tracking_number))
    trials = db.session.execute(visible_trials(current_user).with_only_columns(
        Trial.id, Trial.protocol_code).order_by(Trial.protocol_code)).all()
    notices = db.session.scalars(
        select(Notice).where(Notice.user_id == current_user.id, Notice.read_at.is_(None),
                             Notice.link.like(SHIPMENT_NOTICES))
        .order_by(Notice.created_at.desc()).limit(5)).all()
    return render_template("shipments/board.html", listing=listing, trials=trials,
                           locations=board_locations(db.session)
                           if current_user.site_scope("shipments.view") is None else [],
                           is_overdue=is_overdue, overdue_days=overdue_days(),
                           notices=notices)


@bp.route("/notices/read", methods=["POST"])
@require("shipments.view")
def read_notices():
    """Mark the user's shipment notices as read."""
    return perform(lambda: mark_notices_read(db.session, current_user), success=None,
                   next_url=url_for("shipments.board"))


@bp.route("/export.xlsx", methods=["GET", "POST"])
@require("shipments.view")
def export_board():
    """Download the filtered board as an Excel workbook (a background job when large)."""
    from app.jobs.views import export_or_job  # here: app.jobs imports every domain's models

    params = {key: value for key, value in request.args.items() if key not in ("page", "sort")}
    return export_or_job("shipment_board", params, lambda: xlsx_response(
        "shipments.xlsx", [board_sheet(db.session, current_user, request.args)]))
