"""New orders, the shipment page (shown again with a refused form), cancel and close."""

from datetime import timedelta

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import HiddenField

from app.audit.queries import history_of
from app.core import clock
from app.core.actions import perform
from app.core.permissions import require, route_permission
from app.devices.api import lines_of as device_lines_of
from app.esign.services import signatures_for
from app.extensions import db
from app.shipments import bp
from app.shipments.forms import (
    CancelForm,
    DecisionForm,
    DispatchForm,
    PackForm,
    ReceiptScanForm,
    ReceiveForm,
    ResolveForm,
    ScanForm,
    ShipmentForm,
)
from app.shipments.models import Shipment
from app.shipments.queries import (
    active_trials,
    delivery_address,
    discrepancies_of,
    is_overdue,
    order_subjects,
    place_choices,
    qa_decisions_of,
    visible_shipments,
)
from app.shipments.services.logger import kit_minutes_out
from app.shipments.services.orders import cancel_shipment, close_shipment, create_shipment
from app.shipments.services.qa import pending_lines, proposals
from app.shipments.services.receipt import can_receive
from app.stock.api import Location, site_location
from app.trials.api import Site, Subject, Trial


def shipment_or_404(shipment_id):
    """Return the shipment if the route's permission reaches it for this user, else 404."""
    shipment = db.session.scalar(visible_shipments(current_user, route_permission())
                                 .where(Shipment.id == shipment_id))
    if shipment is None:
        abort(404)
    return shipment


def shipment_url(shipment, anchor=""):
    """Return the shipment page's address (at an anchor)."""
    return url_for("shipments.show_shipment", shipment_id=shipment.id) + anchor


def _resolve_place(value):
    """Return the stock location for a choice value (L<location id> or S<site id>)."""
    if not value or value[0] not in "LS" or not value[1:].isdigit():
        return None
    if value[0] == "L":
        return db.session.get(Location, int(value[1:]))
    site = db.session.get(Site, int(value[1:]))
    return site_location(db.session, site) if site else None


def _create_from(form):
    subject = db.session.get(Subject, form.subject_id.data) if form.subject_id.data else None
    destination = _resolve_place(form.destination_id.data)
    if form.kind.data == "patient" and subject is not None:
        # Kits for a patient's home are accounted to the subject's own site.
        destination = site_location(db.session, subject.site)
    return create_shipment(
        db.session, trial=db.session.get(Trial, form.trial_id.data), kind=form.kind.data,
        origin=_resolve_place(form.origin_id.data), destination=destination,
        requested_kits=form.requested_kits.data, expected_arrival=form.expected_arrival.data,
        subject=subject, notes=form.notes.data, by=current_user)


@bp.route("/new", methods=["GET", "POST"])
@require("shipments.manage")
def new_shipment():
    """Order a shipment: route, number of kits, expected arrival."""
    form = ShipmentForm()
    form.trial_id.choices = [(t.id, t.protocol_code)
                             for t in active_trials(db.session, current_user)]
    form.origin_id.choices = form.destination_id.choices = place_choices(db.session,
                                                                         current_user)
    form.subject_id.choices = [(0, _("None"))] + [
        (s.id, f"{s.trial.protocol_code} · {s.code}")
        for s in order_subjects(db.session, current_user)]

    def page():
        return render_template("shipments/new.html", form=form)

    if request.method == "GET":
        form.expected_arrival.data = clock.today() + timedelta(days=3)
        form.trial_id.data = request.args.get("trial", type=int)
    return perform(lambda: _create_from(form), form=form, render=page,
                   success=lambda shipment: _("Shipment %(n)s created as a draft. Order it to "
                                              "propose kits.", n=shipment.number),
                   next_url=shipment_url)


def _forms_for(shipment):
    """Return the page's empty forms (never bound to a POST meant for another form)."""
    blank = {"formdata": None}
    return {"scan": ScanForm(**blank), "pack": PackForm(logger_ids=shipment.logger_ids, **blank),
            "dispatch": DispatchForm(expected_arrival=shipment.expected_arrival,
                                     logger_ids=shipment.logger_ids, **blank),
            "receipt_scan": ReceiptScanForm(**blank),
            "receive": ReceiveForm(meaning="received", **blank),
            "decision": DecisionForm(meaning="qa", **blank), "resolve": ResolveForm(**blank),
            "cancel": CancelForm(**blank)}


def _page(shipment, typed):
    lines = shipment.lines
    decisions = qa_decisions_of(db.session, shipment)
    discrepancies = discrepancies_of(db.session, shipment)
    forms = {**_forms_for(shipment), **typed}
    forms["decision"].kits.choices = [(line.id, line.kit.kit_number)
                                      for line in pending_lines(shipment)]
    return render_template(
        "shipments/show.html", shipment=shipment, lines=lines,
        device_lines=device_lines_of(db.session, shipment.id),
        exposure=kit_minutes_out(db.session, [line.kit_id for line in lines]),
        decisions=[(d, signatures_for(db.session, d)) for d in decisions],
        discrepancies=discrepancies, address=delivery_address(shipment, current_user),
        forms=forms, pending=pending_lines(shipment), overdue=is_overdue(shipment),
        budget=proposals(shipment),
        may_receive=can_receive(current_user, shipment),
        signatures=signatures_for(db.session, shipment),
        history=history_of(db.session, shipment, *lines, *discrepancies,
                           *shipment.logger_uploads))


def render_shipment(shipment, **typed):
    """Show the shipment page again with the forms as sent, each error beside its field.

    Errors with no field on the page (the form's own, an expired form, a hidden field) are
    flashed above it, so nothing the user needs to read is lost.
    """
    for form in typed.values():
        for message in _unplaced_errors(form):
            flash(message, "danger")
    return _page(shipment, typed)


def _unplaced_errors(form):
    yield from form.form_errors
    for field in form:
        if field.errors and field.name == "csrf_token":
            yield _("The form had expired; please send it again.")
        elif field.errors and isinstance(field, HiddenField):
            yield from field.errors


@bp.route("/<int:shipment_id>")
@require("shipments.view")
def show_shipment(shipment_id):
    """Show a shipment: kits, paperwork, logger data, receipt, decisions, history."""
    return _page(shipment_or_404(shipment_id), {})


@bp.route("/<int:shipment_id>/cancel", methods=["POST"])
@require("shipments.manage")
def cancel(shipment_id):
    """Cancel a shipment that has not left."""
    shipment = shipment_or_404(shipment_id)
    form = CancelForm()
    return perform(lambda: cancel_shipment(db.session, shipment, form.reason.data,
                                           by=current_user),
                   form=form, render=lambda: render_shipment(shipment, cancel=form),
                   success=_("Shipment cancelled; its kits are free again."),
                   next_url=shipment_url(shipment))


@bp.route("/<int:shipment_id>/close", methods=["POST"])
@require("shipments.manage")
def close(shipment_id):
    """Close a received shipment."""
    shipment = shipment_or_404(shipment_id)
    return perform(lambda: close_shipment(db.session, shipment, by=current_user),
                   success=_("Shipment closed."), next_url=shipment_url(shipment))
