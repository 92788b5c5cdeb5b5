"""Therapy orders: list, schedule, the order page, bag labels."""

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.celltherapy import bp
from app.celltherapy.exports import bag_labels_pdf
from app.celltherapy.forms import (
    CollectForm,
    DecisionForm,
    ExceptionForm,
    HandoffForm,
    LoggerForm,
    ReasonForm,
    RecollectForm,
    ReleaseForm,
    ScheduleForm,
)
from app.celltherapy.models import ORDER_STATUSES, TherapyOrder
from app.celltherapy.queries import order_or_404, visible_orders
from app.celltherapy.services import orders as service
from app.celltherapy.services.identity import check_character, eye_readable
from app.celltherapy.states import ORDER
from app.core.actions import perform
from app.core.listing import build_listing, where_choice_args
from app.core.permissions import require
from app.esign.services import signatures_for
from app.exports.pdf import pdf_response
from app.extensions import db
from app.trials.api import Subject, Trial, visible_subjects

FORMS = {"collect": CollectForm, "handoff": HandoffForm, "release": ReleaseForm,
         "reason": ReasonForm, "recollect": RecollectForm, "exception": ExceptionForm,
         "logger": LoggerForm, "decision": DecisionForm}


@bp.route("/orders")
@require("celltherapy.view")
def list_orders():
    """Therapy orders: search by identifier, filter by step and trial, sort, page."""
    stmt = where_choice_args(visible_orders(current_user), request.args,
                             {"status": (TherapyOrder.status, ORDER_STATUSES)})
    listing = build_listing(stmt, sorts={"coi": TherapyOrder.coi, "step": TherapyOrder.status,
                                         "since": TherapyOrder.step_at},
                            default_sort="since", search_columns=(TherapyOrder.coi,))
    return render_template("celltherapy/orders.html", listing=listing,
                           statuses=ORDER_STATUSES, codes=subject_codes(listing.items),
                           see_subject=current_user.can("celltherapy.subject"))


def subject_choices():
    """Return the cell-therapy subjects of the user's sites as (id, label)."""
    subjects = db.session.scalars(
        visible_subjects(current_user, "celltherapy.site")
        .where(Subject.trial_id.in_(select(Trial.id).where(Trial.kind == "cell_therapy")))
        .order_by(Subject.code)).all()
    return [(s.id, s.code) for s in subjects]


@bp.route("/orders/new", methods=["GET", "POST"])
@require("celltherapy.site")
def new_order():
    """Schedule a collection against a manufacturing slot."""
    form = ScheduleForm()
    form.subject_id.choices = [(0, "—"), *subject_choices()]

    def schedule():
        return service.schedule(
            db.session, form.subject_id.data, collection_date=form.collection_date.data,
            manufacturing_slot=form.manufacturing_slot.data,
            product_kind=form.product_kind.data, by=current_user)

    return perform(schedule, form=form, success=None,
                   next_url=lambda order: url_for(".show_order", order_id=order.id),
                   render=lambda: render_template("celltherapy/new.html", form=form))


def order_page(order, status=200, **given):
    """Render the order page with its step forms (a refused one as typed)."""
    forms = {name: given.get(name) or cls(formdata=None) for name, cls in FORMS.items()}
    subject = (db.session.get(Subject, order.subject_id)
               if current_user.can("celltherapy.subject") else None)
    return render_template(
        "celltherapy/show.html", order=order, forms=forms, subject=subject,
        events=[t.event for t in ORDER.available(order, current_user)],
        check=check_character(order.coi) if order.coi else None,
        readable=eye_readable(order.coi) if order.coi else None,
        signatures=signatures_for(db.session, order),
        custody_signatures={c.id: signatures_for(db.session, c) for c in order.custody}), status


@bp.route("/orders/<int:order_id>")
@require("celltherapy.view")
def show_order(order_id):
    """The order: identifier, next step, custody, condition legs, signatures."""
    return order_page(order_or_404(current_user, order_id))


@bp.route("/orders/<int:order_id>/labels.pdf")
@require("celltherapy.view")
def labels_pdf(order_id):
    """Collection and product bag labels: barcode and eye-readable identifier."""
    order = order_or_404(current_user, order_id)
    if order.coi is None:
        abort(404)
    return pdf_response(f"labels-{order.coi}.pdf", bag_labels_pdf(order))


def subject_codes(orders):
    """Return {subject id: code} for the orders (only for users who may see subjects)."""
    if not current_user.can("celltherapy.subject"):
        return {}
    ids = {o.subject_id for o in orders}
    return dict(db.session.execute(select(Subject.id, Subject.code).where(
        Subject.id.in_(ids))).all())
