"""Storage excursions of a site: report (logger file or by hand), list, chart, QA decision."""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.queries import history_of
from app.coldchain.forms import parse_options, refusal_details
from app.coldchain.logger import MAX_LOGGER_BYTES, LoggerFileError, check_size
from app.core import clock
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.queries import get_or_404
from app.core.templating import number
from app.esign.services import signatures_for
from app.extensions import db
from app.files import staging
from app.files.services import send_stored_file
from app.stock import bp
from app.stock.forms import QaDecisionForm, StorageExcursionForm, StorageLoggerForm
from app.stock.models import EXCURSION_SOURCES, Location, StorageExcursion
from app.stock.models.storage import QA_OUTCOMES
from app.stock.queries import storage_excursions
from app.stock.services.stability import budget_use, decided_message
from app.stock.services.storage import (
    decide_storage_kits,
    pending_lines,
    record_manual_excursion,
)
from app.stock.services.storage_logger import (
    chart_data,
    preview_storage_file,
    report_from_logger,
)
from app.trials.api import Site, can_see_site


def _site_location_or_404(site_id):
    """Return (site, its storage location) for a user who may report there, else 404."""
    site = get_or_404(Site, site_id)
    if not can_see_site(current_user, site, "stock.storage"):
        abort(404)
    location = db.session.scalar(select(Location).where(Location.site_id == site.id))
    if location is None:
        abort(404)
    return site, location


def _excursion_or_404(excursion_id):
    excursion = get_or_404(StorageExcursion, excursion_id)
    if not current_user.sees_site("stock.sites", excursion.site_id):
        abort(404)
    return excursion


def _utc(local):
    """Return a local date and time typed in a form as an aware UTC datetime (None stays)."""
    if local is None:
        return None
    return local.replace(tzinfo=clock.zone()).astimezone(UTC)


def _reported(excursion):
    return _("Storage excursion %(ref)s recorded: %(m)s minutes out of range, %(n)s kits "
             "quarantined. QA has been told.", ref=excursion.reference,
             m=number(excursion.minutes_out, 1),
             n=sum(line.quarantined for line in excursion.lines))


def _show_url(excursion):
    return url_for("stock.show_storage_excursion", excursion_id=excursion.id)


@bp.route("/storage-excursions")
@require("stock.sites")
def list_storage_excursions():
    """List storage excursions: search, filter (waiting for QA, site, source), sort, pages."""
    stmt = storage_excursions(current_user, request.args).join(
        Location, StorageExcursion.location_id == Location.id)
    listing = build_listing(
        stmt.options(selectinload(StorageExcursion.lines)),
        sorts={"id": StorageExcursion.id, "started": StorageExcursion.started_at,
               "minutes": StorageExcursion.minutes_out, "place": Location.name},
        default_sort="-id", search_columns=(Location.name, Location.code,
                                            StorageExcursion.comment))
    sites = db.session.scalars(select(Site).where(Site.id.in_(
        select(StorageExcursion.site_id)))).all()
    sites = [s for s in sites if current_user.sees_site("stock.sites", s.id)]
    return render_template(
        "stock/storage_excursions.html", listing=listing, excursion_sources=EXCURSION_SOURCES,
        site_options=[(s.id, f"{s.trial.protocol_code} · {s.site_number}") for s in sites])


@bp.route("/sites/<int:site_id>/storage-excursions/new", methods=["GET", "POST"])
@require("stock.storage")
def report_storage_excursion(site_id):
    """Report an excursion of the site's storage by hand: period, extremes, what happened."""
    site, location = _site_location_or_404(site_id)
    form = StorageExcursionForm()
    return perform(
        lambda: record_manual_excursion(
            db.session, location, started_at=_utc(form.started_at.data),
            ended_at=_utc(form.ended_at.data),
            min_c=float(form.min_c.data) if form.min_c.data is not None else None,
            max_c=float(form.max_c.data) if form.max_c.data is not None else None,
            comment=form.comment.data, by=current_user),
        form=form, success=_reported, next_url=_show_url,
        render=lambda: render_template("stock/storage_excursion_form.html", site=site,
                                       location=location, form=form))


def _logger_page(site, location, form, refused=None, preview=None):
    return render_template("stock/storage_logger_form.html", site=site, location=location,
                           form=form, preview=preview, **refusal_details(refused))


@bp.route("/sites/<int:site_id>/storage-excursions/upload", methods=["GET", "POST"])
@require("stock.storage")
def upload_storage_logger(site_id):
    """Read the fridge logger's export into a preview; record the excursion on confirmation."""
    site, location = _site_location_or_404(site_id)
    form = StorageLoggerForm()
    owner = f"storage-{location.id}"
    if request.method == "GET":
        form.timezone.data = current_app.config["LOGGER_TIMEZONE"]
        return _logger_page(site, location, form)
    storing = request.form.get("action") == "store"
    state = {}

    def read():
        data, filename = staging.incoming(form, current_user.id, owner, MAX_LOGGER_BYTES,
                                          check_size)
        state["data"] = data
        options = parse_options(form, current_app.config["LOGGER_TIMEZONE"])
        try:
            if storing and form.previewed.data == staging.fingerprint(data, options):
                excursion = report_from_logger(db.session, location, data, filename=filename,
                                               options=options, comment=form.comment.data,
                                               by=current_user)
                staging.drop(form.staged.data, current_user.id, owner)
                return excursion
            parsed, report, kits = preview_storage_file(db.session, location, data, options)
        except LoggerFileError as error:
            state["error"] = error
            raise
        form.previewed.data = staging.fingerprint(data, options)
        state["preview"] = {"parsed": parsed, "report": report, "changed": storing,
                            "zone": ZoneInfo(parsed.timezone), "kits": kits}
        return None

    def respond(result):
        if result is None:
            return _logger_page(site, location, form, preview=state["preview"])
        flash(_reported(result), "warning")
        return redirect(_show_url(result))

    return perform(read, form=form, default_field="file", success=None, respond=respond,
                   render=lambda: _logger_page(site, location, form, state),
                   next_url=_show_url)


def render_excursion(excursion, decision=None):
    """Render an excursion: period, curve, kits with their budget, QA decision, history."""
    pending = pending_lines(excursion)
    if decision is None and pending:
        decision = QaDecisionForm(meaning="qa")
    if decision is not None:
        decision.kits.choices = [(line.id, line.kit.kit_number) for line in pending]
        if request.method == "GET":
            decision.kits.data = [line.id for line in pending]
    return render_template(
        "stock/storage_excursion.html", excursion=excursion, pending=pending,
        excursion_sources=EXCURSION_SOURCES, qa_outcomes=QA_OUTCOMES,
        budget={line.id: budget_use(line.kit) for line in excursion.lines},
        decision=decision, signatures=[(d, signatures_for(db.session, d))
                                       for d in excursion.decisions],
        history=history_of(db.session, excursion, *excursion.decisions))


@bp.route("/storage-excursions/<int:excursion_id>")
@require("stock.sites")
def show_storage_excursion(excursion_id):
    """Show one storage excursion."""
    return render_excursion(_excursion_or_404(excursion_id))


@bp.route("/storage-excursions/<int:excursion_id>/decide", methods=["POST"])
@require("stock.qa")
def decide_storage_excursion(excursion_id):
    """Release or reject the quarantined kits with an e-signature (refused: shown as typed)."""
    excursion = _excursion_or_404(excursion_id)
    form = QaDecisionForm()
    form.kits.choices = [(line.id, line.kit.kit_number) for line in pending_lines(excursion)]

    return perform(lambda: decide_storage_kits(
        db.session, excursion, form.kits.data, request.form.get("decision"), form.reason.data,
        signer=current_user, password=form.password.data,
        departure_reason=form.departure_reason.data),
        form=form, render=lambda: render_excursion(excursion, decision=form),
        success=decided_message, next_url=_show_url(excursion) + "#decision")


@bp.route("/storage-excursions/<int:excursion_id>/chart.json")
@require("stock.sites")
def storage_excursion_chart(excursion_id):
    """Return the chart data of the excursion."""
    return jsonify(chart_data(db.session, _excursion_or_404(excursion_id)))


@bp.route("/storage-excursions/<int:excursion_id>/file")
@require("stock.sites")
def storage_excursion_file(excursion_id):
    """Download the logger file as it was uploaded."""
    excursion = _excursion_or_404(excursion_id)
    if excursion.stored_file is None:
        abort(404)
    return send_stored_file(excursion.stored_file, as_attachment=True)
