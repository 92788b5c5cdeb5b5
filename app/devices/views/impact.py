"""Out-of-tolerance impact: the listing down to subject visits, reverse traceability, closure."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.queries import get_or_404
from app.devices import bp
from app.devices.forms import ImpactCloseForm
from app.devices.models import IMPACT_STATES, Device, ImpactAssessment
from app.devices.queries import impact_shipments, per_site, reverse_records, uses
from app.devices.services import impact as service
from app.esign.services import signatures_for
from app.extensions import db

USE_ROWS = 100


def impact_listing(session, device, since, until, exclude_id=None):
    """Return everything the listing shows for a device in a window."""
    listing = {"uses": session.execute(uses(device.id, since, until).limit(USE_ROWS)).all(),
               "sites": per_site(session, device.id, since, until),
               "shipments": impact_shipments(session, device, since, until), "reverse": []}
    if device.model.kind == "reference":
        for record in reverse_records(session, device.id, since, until, exclude_id):
            listing["reverse"].append((record, per_site(session, record.device_id,
                                                        record.calibrated_on, until)))
    return listing


def _impact_or_404(impact_id):
    """Return the assessment; an account limited to some sponsors reaches only assessments of
    its trials' devices (a shared device's listing spans every sponsor)."""
    impact = get_or_404(ImpactAssessment, impact_id)
    allowed = current_user.sponsor_trials()
    if allowed is not None and impact.device.trial_id not in allowed:
        abort(404)
    return impact


@bp.route("/impacts")
@require("devices.qa")
def list_impacts():
    """Impact assessments, open first."""
    stmt = select(ImpactAssessment)
    allowed = current_user.sponsor_trials()
    if allowed is not None:
        stmt = stmt.join(Device, Device.id == ImpactAssessment.device_id).where(
            Device.trial_id.in_(allowed or {0}))
    if request.args.get("status") in IMPACT_STATES:
        stmt = stmt.where(ImpactAssessment.status == request.args["status"])
    listing = build_listing(stmt,
                            sorts={"opened": ImpactAssessment.opened_at,
                                   "status": ImpactAssessment.status},
                            default_sort="-opened")
    return render_template("devices/impacts.html", listing=listing)


def render_impact(impact, form=None):
    """Render the assessment with its listing and the closing form."""
    if form is None and impact.status == "open":
        form = ImpactCloseForm(meaning="approved")
    return render_template(
        "devices/impact.html", impact=impact, form=form, figures=service.figures(impact),
        listing=impact_listing(db.session, impact.device, impact.since, impact.until,
                               impact.record_id),
        signatures=signatures_for(db.session, impact), entries=history_of(db.session, impact))


@bp.route("/impacts/<int:impact_id>")
@require("devices.qa")
def show_impact(impact_id):
    """One impact assessment."""
    return render_impact(_impact_or_404(impact_id))


@bp.route("/impacts/<int:impact_id>/close", methods=["POST"])
@require("devices.qa")
def close_impact(impact_id):
    """QA closes the assessment with a decision and e-signature."""
    impact = _impact_or_404(impact_id)
    if impact.status != "open":
        abort(404)
    form = ImpactCloseForm()
    return perform(lambda: service.close(
        db.session, impact, decision=form.decision.data, conclusion=form.conclusion.data,
        signer=current_user, password=form.password.data),
        form=form, success=_("Impact assessment closed."),
        next_url=url_for("devices.show_impact", impact_id=impact.id),
        render=lambda: render_impact(impact, form))
