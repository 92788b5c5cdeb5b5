"""The shipment board, its export, new orders and the shipment page."""

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.models import utcnow
from app.core.permissions import require
from app.core.views_helpers import attach_error
from app.esign.services import signatures_for
from app.exports.excel import Sheet, xlsx_response
from app.extensions import db
from app.notify.models import Notice
from app.shipments import bp
from app.shipments.coldchain import kit_minutes_out, pending_lines
from app.shipments.exports import (
    BOARD_NUMBER_FORMATS,
    board_export_statement,
    board_headers,
    board_rows,
)
from app.shipments.forms import (
    CancelForm,
    DecisionForm,
    DispatchForm,
    LoggerForm,
    PackForm,
    ReceiptScanForm,
    ReceiveForm,
    ResolveForm,
    ScanForm,
    ShipmentForm,
)
from app.shipments.models import Discrepancy, QaDecision, Shipment
from app.shipments.queries import apply_filters, is_overdue, overdue_days, visible_shipments
from app.shipments.receipt import can_receive
from app.shipments.services import ShipmentError, create_shipment
from app.stock.api import site_location
from app.stock.models import Location
from app.trials.models import Site, Subject, Trial
from app.trials.queries import can_see_identity, visible_trials

BOARD_SORTS = {"number": Shipment.number, "status": Shipment.status,
               "dispatched": Shipment.dispatched_at, "arrival": Shipment.expected_arrival,
               "created": Shipment.created_at}


def visible_shipment_or_404(shipment_id):
    """Return the shipment if the user may see it, else 404."""
    shipment = db.session.scalar(visible_shipments(current_user)
                                 .where(Shipment.id == shipment_id))
    if shipment is None:
        abort(404)
    return shipment


def delivery_address(shipment):
    """Return the patient's home address when the user may see identities, else None."""
    subject = shipment.subject
    if subject is None or not can_see_identity(current_user, subject) or not subject.identity:
        return None
    identity = subject.identity
    return ", ".join(p for p in (identity.full_name, identity.address, identity.postal_code,
                                 identity.city, identity.phone) if p)


def _board_statement():
    return apply_filters(visible_shipments(current_user), request.args)


def _place_choices():
    depots = db.session.scalars(select(Location).where(Location.kind == "depot")
                                .order_by(Location.name)).all()
    sites = db.session.execute(select(Site.id, Site.site_number, Site.hospital,
                                      Trial.protocol_code).join(Trial)
                               .order_by(Trial.protocol_code, Site.site_number)).all()
    return ([(f"L{d.id}", _("Depot: %(name)s", name=d.name)) for d in depots]
            + [(f"S{site_id}", f"{code} · {number} · {hospital}")
               for site_id, number, hospital, code in sites])


def _board_locations():
    return db.session.execute(select(Location.id, Location.name).where(
        Location.kind.in_(("depot", "site"))).order_by(Location.name)).all()


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
                             Notice.link.like("/shipments/%"))
        .order_by(Notice.created_at.desc()).limit(5)).all()
    return render_template("shipments/board.html", listing=listing, trials=trials,
                           locations=_board_locations() if not current_user.is_site_scoped
                           else [], is_overdue=is_overdue, overdue_days=overdue_days(),
                           notices=notices)


@bp.route("/notices/read", methods=["POST"])
@require("shipments.view")
def read_notices():
    """Mark the user's shipment notices as read."""
    db.session.execute(update(Notice).where(
        Notice.user_id == current_user.id, Notice.read_at.is_(None),
        Notice.link.like("/shipments/%")).values(read_at=utcnow()))
    db.session.commit()
    return redirect(url_for("shipments.board"))


@bp.route("/export.xlsx")
@require("shipments.view")
def export_board():
    """Download the filtered board as an Excel workbook."""
    stmt = board_export_statement(_board_statement())
    result = db.session.execute(stmt.execution_options(yield_per=2000))
    overdue_before = utcnow() - timedelta(days=overdue_days())
    sheet = Sheet(_("Shipments"), board_headers(), board_rows(result, overdue_before),
                  number_formats=BOARD_NUMBER_FORMATS)
    return xlsx_response("shipments.xlsx", [sheet])


def _resolve_place(value):
    """Return the stock location for a choice value (L<location id> or S<site id>)."""
    if not value or value[0] not in "LS" or not value[1:].isdigit():
        return None
    if value[0] == "L":
        return db.session.get(Location, int(value[1:]))
    site = db.session.get(Site, int(value[1:]))
    return site_location(db.session, site) if site else None


@bp.route("/new", methods=["GET", "POST"])
@require("shipments.manage")
def new_shipment():
    """Order a shipment: route, number of kits, expected arrival."""
    form = ShipmentForm()
    form.trial_id.choices = [(t.id, t.protocol_code) for t in db.session.scalars(
        select(Trial).where(Trial.status == "active").order_by(Trial.protocol_code))]
    places = _place_choices()
    form.origin_id.choices = form.destination_id.choices = places
    form.subject_id.choices = [(0, _("None"))] + [
        (s.id, f"{s.trial.protocol_code} · {s.code}") for s in db.session.scalars(
            select(Subject).where(Subject.status == "enrolled").order_by(Subject.code)
            .limit(500))]
    if request.method == "GET":
        form.expected_arrival.data = date.today() + timedelta(days=3)
        form.trial_id.data = request.args.get("trial", type=int)
    if form.validate_on_submit():
        trial = db.session.get(Trial, form.trial_id.data)
        subject = db.session.get(Subject, form.subject_id.data) if form.subject_id.data \
            else None
        destination = _resolve_place(form.destination_id.data)
        if form.kind.data == "patient" and subject is not None:
            # Kits for a patient's home are accounted to the subject's own site.
            destination = site_location(db.session, subject.site)
        try:
            shipment = create_shipment(
                db.session, trial=trial, kind=form.kind.data,
                origin=_resolve_place(form.origin_id.data), destination=destination,
                requested_kits=form.requested_kits.data,
                expected_arrival=form.expected_arrival.data, subject=subject,
                notes=form.notes.data, by=current_user)
        except ShipmentError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Shipment %(n)s created as a draft. Order it to propose kits.",
                    n=shipment.number), "success")
            return redirect(url_for("shipments.show_shipment", shipment_id=shipment.id))
    return render_template("shipments/new.html", form=form)


@bp.route("/<int:shipment_id>")
@require("shipments.view")
def show_shipment(shipment_id):
    """Show a shipment: kits, paperwork, logger data, receipt, decisions, history."""
    shipment = visible_shipment_or_404(shipment_id)
    lines = shipment.lines
    decisions = db.session.scalars(select(QaDecision).where(
        QaDecision.shipment_id == shipment.id).order_by(QaDecision.id)).all()
    discrepancies = db.session.scalars(select(Discrepancy).where(
        Discrepancy.shipment_id == shipment.id).order_by(Discrepancy.id)).all()
    address = delivery_address(shipment)
    forms = _forms_for(shipment)
    return render_template(
        "shipments/show.html", shipment=shipment, lines=lines,
        exposure=kit_minutes_out(db.session, [line.kit_id for line in lines]),
        decisions=[(d, signatures_for(db.session, d)) for d in decisions],
        discrepancies=discrepancies, address=address, forms=forms,
        pending=pending_lines(shipment), overdue=is_overdue(shipment),
        may_receive=can_receive(current_user, shipment),
        signatures=signatures_for(db.session, shipment),
        history=history_of(db.session, shipment, *lines, *discrepancies,
                           *shipment.logger_uploads))


def _forms_for(shipment):
    dispatch = DispatchForm(expected_arrival=shipment.expected_arrival,
                            logger_ids=shipment.logger_ids)
    decision = DecisionForm(meaning="qa")
    decision.kits.choices = [(line.id, line.kit.kit_number) for line in pending_lines(shipment)]
    return {"scan": ScanForm(), "pack": PackForm(logger_ids=shipment.logger_ids),
            "dispatch": dispatch, "logger": LoggerForm(), "receipt_scan": ReceiptScanForm(),
            "receive": ReceiveForm(meaning="received"), "decision": decision,
            "resolve": ResolveForm(), "cancel": CancelForm()}
