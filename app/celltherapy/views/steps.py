"""The order's steps: each a POST from the order page, through perform()."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.celltherapy import bp
from app.celltherapy.forms import (
    CollectForm,
    DecisionForm,
    ExceptionForm,
    HandoffForm,
    LoggerForm,
    ReasonForm,
    RecollectForm,
    ReleaseForm,
)
from app.celltherapy.models import ConditionLeg
from app.celltherapy.queries import order_or_404
from app.celltherapy.services import condition
from app.celltherapy.services import orders as service
from app.celltherapy.views.orders import order_page
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.permissions import require
from app.extensions import db
from app.files.services import store_bytes

DONE = {"collect": _l("Collection recorded."), "handoff": _l("Handoff recorded and signed.")}


def _back(order):
    return url_for(".show_order", order_id=order.id)


def _step(order_id, permission, form, name, action, success):
    """Run one step of the order page; a refusal shows the page again with the form typed."""
    order = order_or_404(current_user, order_id, permission)
    return perform(lambda: action(order), form=form, success=success,
                   next_url=lambda _result: _back(order),
                   render=lambda: order_page(order, 422, **{name: form}))


@bp.route("/orders/<int:order_id>/collect", methods=["POST"])
@require("celltherapy.site")
def collect(order_id):
    """Record the collection (allocates the identifier)."""
    form = CollectForm()
    return _step(order_id, "celltherapy.site", form, "collect", lambda order: service.collect(
        db.session, order, bag_ids=form.bag_ids.data, volume_ml=form.volume_ml.data,
        cell_count=form.cell_count.data, by=current_user), _l_done("collect"))


def _l_done(key):
    return lambda _result: str(DONE[key])


def _handoff(order_id, permission, run):
    form = HandoffForm()

    def action(order):
        return run(order, form.values(), form)

    return _step(order_id, permission, form, "handoff", action, _l_done("handoff"))


@bp.route("/orders/<int:order_id>/ship-to-lab", methods=["POST"])
@require("celltherapy.site")
def ship_to_lab(order_id):
    """Hand the cells to the courier for the manufacturer."""
    return _handoff(order_id, "celltherapy.site", lambda order, data, form: service.ship_to_lab(
        db.session, order, data, courier=form.courier.data or "", logger_ids=form.logger_ids.data,
        by=current_user, password=form.password.data))


@bp.route("/orders/<int:order_id>/receive-at-lab", methods=["POST"])
@require("celltherapy.lab")
def receive_at_lab(order_id):
    """Receive the cells at the manufacturer."""
    return _handoff(order_id, "celltherapy.lab", lambda order, data, form:
                    service.receive_at_lab(db.session, order, data, by=current_user,
                                           password=form.password.data))


@bp.route("/orders/<int:order_id>/ship-to-site", methods=["POST"])
@require("celltherapy.lab")
def ship_to_site(order_id):
    """Ship the product back in a dry shipper."""
    return _handoff(order_id, "celltherapy.lab", lambda order, data, form: service.ship_to_site(
        db.session, order, data, shipper_code=form.shipper_code.data,
        transit_hours=form.transit_hours.data, courier=form.courier.data or "",
        by=current_user, password=form.password.data))


@bp.route("/orders/<int:order_id>/receive-at-site", methods=["POST"])
@require("celltherapy.site")
def receive_at_site(order_id):
    """Receive the product at the hospital."""
    return _handoff(order_id, "celltherapy.site", lambda order, data, form:
                    service.receive_at_site(db.session, order, data, by=current_user,
                                            password=form.password.data))


@bp.route("/orders/<int:order_id>/infuse", methods=["POST"])
@require("celltherapy.site")
def infuse(order_id):
    """Bedside scan and infusion, signed by the person infusing."""
    return _handoff(order_id, "celltherapy.site", lambda order, data, form: service.infuse(
        db.session, order, data, by=current_user, password=form.password.data))


def _button(order_id, permission, run, message):
    order = order_or_404(current_user, order_id, permission)
    return perform(lambda: run(order), success=message, next_url=_back(order))


@bp.route("/orders/<int:order_id>/start-manufacturing", methods=["POST"])
@require("celltherapy.lab")
def start_manufacturing(order_id):
    """Start manufacturing."""
    from flask_babel import gettext as _

    return _button(order_id, "celltherapy.lab", lambda order: service.start_manufacturing(
        db.session, order, current_user), _("Manufacturing started."))


@bp.route("/orders/<int:order_id>/store", methods=["POST"])
@require("celltherapy.site")
def store(order_id):
    """Record the product stored."""
    from flask_babel import gettext as _

    return _button(order_id, "celltherapy.site", lambda order: service.store(
        db.session, order, current_user), _("Storage recorded."))


@bp.route("/orders/<int:order_id>/thaw", methods=["POST"])
@require("celltherapy.site")
def thaw(order_id):
    """Record the product thawed."""
    from flask_babel import gettext as _

    return _button(order_id, "celltherapy.site", lambda order: service.thaw(
        db.session, order, current_user), _("Thawing recorded."))


def _coa(form):
    upload = form.coa.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return store_bytes(db.session, upload.read(), original_name=upload.filename,
                       allowed_types={"application/pdf"}, max_bytes=10 * 1024 * 1024,
                       uploaded_by=current_user)


@bp.route("/orders/<int:order_id>/release", methods=["POST"])
@require("celltherapy.release")
def release(order_id):
    """Release by the manufacturer's QP."""
    from flask_babel import gettext as _

    form = ReleaseForm()
    return _step(order_id, "celltherapy.release", form, "release", lambda order:
                 service.release(db.session, order, coa=_coa(form), by=current_user,
                                 password=form.password.data),
                 lambda _r: _("Product released."))


@bp.route("/orders/<int:order_id>/out-of-spec", methods=["POST"])
@require("celltherapy.release")
def out_of_spec(order_id):
    """Record an out-of-specification result."""
    from flask_babel import gettext as _

    form = ReasonForm()
    return _step(order_id, "celltherapy.release", form, "reason", lambda order:
                 service.out_of_spec(db.session, order, reason=form.reason.data,
                                     by=current_user),
                 lambda _r: _("Out of specification recorded."))


@bp.route("/orders/<int:order_id>/fail", methods=["POST"])
@require("celltherapy.view")
def fail(order_id):
    """Record a failed manufacture (the step's permission is checked by the machine)."""
    from flask_babel import gettext as _

    form = ReasonForm()
    return _step(order_id, "celltherapy.view", form, "reason", lambda order:
                 service.fail(db.session, order, reason=form.reason.data, by=current_user),
                 lambda _r: _("Failed manufacture recorded."))


@bp.route("/orders/<int:order_id>/release-by-exception", methods=["POST"])
@require("celltherapy.site")
def release_by_exception(order_id):
    """Release out of specification with the physician's consent."""
    from flask_babel import gettext as _

    form = ExceptionForm()
    return _step(order_id, "celltherapy.site", form, "exception", lambda order:
                 service.release_by_exception(
                     db.session, order, physician_consent=form.physician_consent.data,
                     reason=form.reason.data, by=current_user, password=form.password.data),
                 lambda _r: _("Released by exception."))


@bp.route("/orders/<int:order_id>/recollect", methods=["POST"])
@require("celltherapy.site")
def recollect(order_id):
    """Schedule a re-collection."""
    from flask_babel import gettext as _

    form = RecollectForm()
    return _step(order_id, "celltherapy.site", form, "recollect", lambda order:
                 service.recollect(db.session, order, collection_date=form.collection_date.data,
                                   reason=form.reason.data, by=current_user),
                 lambda _r: _("Re-collection scheduled."))


@bp.route("/orders/<int:order_id>/logger", methods=["POST"])
@require("celltherapy.view")
def attach_logger(order_id):
    """Attach a leg's logger file."""
    from flask_babel import gettext as _

    form = LoggerForm()

    def action(order):
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            raise DomainError(_("Choose the logger file."), "file")
        return condition.attach_logger(db.session, order, leg=form.leg.data,
                                       serial=form.serial.data, filename=upload.filename,
                                       data=upload.read(), by=current_user)

    return _step(order_id, "celltherapy.view", form, "logger", action,
                 lambda leg: _("Logger data attached: an excursion waits for QA.")
                 if leg.qa_status == "pending" else _("Logger data attached: no excursion."))


@bp.route("/orders/<int:order_id>/legs/<int:leg_id>/decide", methods=["POST"])
@require("celltherapy.qa")
def decide(order_id, leg_id):
    """QA decision on an excursion."""
    from flask import abort
    from flask_babel import gettext as _

    form = DecisionForm()

    def action(order):
        leg = db.session.get(ConditionLeg, leg_id)
        if leg is None or leg.order_id != order.id:
            abort(404)
        return condition.decide(db.session, leg, accept=form.decision.data == "accept",
                                reason=form.reason.data, by=current_user,
                                password=form.password.data)

    return _step(order_id, "celltherapy.view", form, "decision", action,
                 lambda _r: _("QA decision recorded and signed."))
