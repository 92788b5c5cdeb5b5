"""A site's investigational device accountability: events, frozen log, signatures."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.actions import perform
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.queries import get_or_404
from app.devices import bp
from app.devices.forms import EventForm
from app.devices.models import Device, DeviceEvent, DeviceLogReview
from app.devices.queries import site_events
from app.devices.services import accountability as service
from app.devices.services.devices import find_by_serial
from app.esign.forms import SignForm
from app.esign.services import signatures_for
from app.extensions import db
from app.trials.api import Site, Subject, TrialVisit, can_see_site


def site_or_404(site_id, permission="devices.view"):
    """Return a site the permission reaches, or 404."""
    site = get_or_404(Site, site_id)
    if not can_see_site(current_user, site, permission):
        abort(404)
    return site


def _event_form(site):
    form = EventForm()
    form.subject_id.choices = [(0, "—")] + [(s.id, s.code) for s in db.session.scalars(
        select(Subject).where(Subject.site_id == site.id).order_by(Subject.code))]
    form.visit_id.choices = [(0, "—")] + [(v.id, f"{v.number} · {v.name}") for v in
                                          db.session.scalars(select(TrialVisit).where(
                                              TrialVisit.trial_id == site.trial_id)
                                              .order_by(TrialVisit.number))]
    return form


def render_site(site, form=None):
    """Render the site's device log with the event form."""
    events = db.session.scalars(select(DeviceEvent).where(DeviceEvent.site_id == site.id)
                                .order_by(DeviceEvent.id.desc()).limit(100)).all()
    devices = db.session.scalars(select(Device).where(Device.site_id == site.id)
                                 .order_by(Device.serial)).all()
    reviews = db.session.scalars(select(DeviceLogReview).where(
        DeviceLogReview.site_id == site.id).order_by(DeviceLogReview.id.desc()).limit(20)).all()
    return render_template("devices/site.html", site=site, events=events, devices=devices,
                           reviews=reviews, figures=service.compute(db.session, site.id),
                           form=form or _event_form(site))


@bp.route("/sites/<int:site_id>")
@require("devices.view")
def site_log(site_id):
    """The device accountability of one site."""
    return render_site(site_or_404(site_id))


@bp.route("/sites/<int:site_id>/events", methods=["POST"])
@require("devices.use")
def record_event(site_id):
    """Record a use, implantation, explant or return."""
    site = site_or_404(site_id, "devices.use")
    form = _event_form(site)

    def record():
        device = find_by_serial(db.session, form.serial.data)
        if device is None or device.site_id != site.id:
            raise DomainError(_("No device with this serial is at this site."), "serial")
        return service.record_event(db.session, device, kind=form.kind.data,
                                    on_date=form.on_date.data, by=current_user,
                                    subject_id=form.subject_id.data or None,
                                    visit_id=form.visit_id.data or None,
                                    reason=form.reason.data)

    return perform(record, form=form, success=_("Recorded."),
                   next_url=url_for("devices.site_log", site_id=site.id),
                   render=lambda: render_site(site, form))


@bp.route("/sites/<int:site_id>/freeze", methods=["POST"])
@require("devices.use")
def freeze_log(site_id):
    """Freeze the site's figures into a log to sign."""
    site = site_or_404(site_id, "devices.use")
    return perform(lambda: service.freeze(db.session, site, current_user), success=None,
                   next_url=lambda review: url_for("devices.show_log", review_id=review.id))


def _review_or_404(review_id):
    review = get_or_404(DeviceLogReview, review_id)
    site_or_404(review.site_id)
    return review


def render_log(review, form=None):
    """Render a frozen log: its figures as of the freeze, its events and its signatures."""
    signatures = signatures_for(db.session, review)
    meaning = service.meaning_open_to(current_user, {s.meaning for s in signatures},
                                      review.site_id)
    if form is None and meaning:
        form = SignForm(meaning=meaning)
    events = db.session.scalars(site_events(review.site_id, review.last_event_id)).all()
    return render_template("devices/log.html", review=review, signatures=signatures,
                           meaning=meaning, sign_form=form if meaning else None, events=events,
                           figures=service.compute(db.session, review.site_id,
                                                   review.last_event_id))


@bp.route("/logs/<int:review_id>")
@require("devices.view")
def show_log(review_id):
    """A frozen site device log."""
    return render_log(_review_or_404(review_id))


@bp.route("/logs/<int:review_id>/sign", methods=["POST"])
@require("devices.view")
def sign_log(review_id):
    """The site signs, then the monitor verifies."""
    review = _review_or_404(review_id)
    form = SignForm()
    return perform(lambda: service.sign_log(db.session, review, meaning=form.meaning.data,
                                            signer=current_user, password=form.password.data),
                   form=form, success=_("Log signed."),
                   next_url=url_for("devices.show_log", review_id=review.id),
                   render=lambda: render_log(review, form))
