"""Imports, customs clearance, documents; a lot's QP certification and country releases."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.queries import get_or_404
from app.esign.services import signatures_for
from app.extensions import db
from app.files.services import send_stored_file
from app.labelling import bp
from app.labelling.forms import (
    CampaignForm,
    CertifyForm,
    ClearanceForm,
    DocumentForm,
    ImportForm,
    ReleaseForm,
)
from app.labelling.models import COUNTRY_NAMES, ExpiryExtension, ImportDocument, ImportRecord
from app.labelling.queries import imports_query
from app.labelling.services.relabel import open_campaign
from app.labelling.services.release import (
    attach_document,
    certification_of,
    certify_lot,
    create_import,
    import_of,
    record_clearance,
    release_for_country,
    releases_of,
)
from app.stock.api import Lot
from app.trials.api import Trial, visible_trials, within_sponsors


@bp.route("/")
@require("labelling.view")
def list_imports():
    """List imports, searchable, sortable, filtered by trial and what waits."""
    stmt = imports_query(request.args.get("waiting"))
    if request.args.get("trial", "").isdigit():
        stmt = stmt.where(ImportRecord.trial_id == int(request.args["trial"]))
    listing = build_listing(
        stmt, sorts={"reference": ImportRecord.reference, "received": ImportRecord.received_on,
                     "origin": ImportRecord.origin_country},
        default_sort="-received",
        search_columns=(ImportRecord.reference, ImportRecord.supplier,
                        ImportRecord.manufacturer, ImportRecord.customs_document))
    trials = db.session.scalars(visible_trials(current_user, "labelling.view")
                                .order_by(Trial.protocol_code)).all()
    return render_template("labelling/imports.html", listing=listing,
                           trials=[(t.id, t.protocol_code) for t in trials])


def _import_form():
    form = ImportForm()
    form.trial_id.choices = [(t.id, t.protocol_code) for t in db.session.scalars(
        within_sponsors(select(Trial), current_user, Trial.id).order_by(Trial.protocol_code))]
    form.origin_country.choices = [(c, f"{c} · {n}") for c, n in COUNTRY_NAMES.items()]
    lots = db.session.scalars(select(Lot).where(Lot.status == "quarantine")
                              .order_by(Lot.number)).all()
    form.lot_ids.choices = [(lot.id, f"{lot.number} · {lot.product}") for lot in lots]
    return form, lots


@bp.route("/imports/new", methods=["GET", "POST"])
@require("labelling.manage")
def new_import():
    """Record an import: origin, supplier, arrival, customs, its lots."""
    form, lots = _import_form()

    def create():
        trial = db.session.get(Trial, form.trial_id.data)
        chosen = [lot for lot in lots if lot.id in (form.lot_ids.data or [])]
        return create_import(db.session, trial, form.data, chosen, by=current_user)

    return perform(create, form=form,
                   render=lambda: render_template("labelling/import_form.html", form=form),
                   success=lambda r: _("Import %(ref)s recorded.", ref=r.reference),
                   next_url=lambda r: url_for("labelling.show_import", import_id=r.id))


def _import_page(record, clearance=None, document=None):
    return render_template(
        "labelling/import.html", record=record,
        clearance=clearance or ClearanceForm(formdata=None),
        document_form=document or DocumentForm(formdata=None),
        certified={lot.id: certification_of(db.session, lot) for lot in record.lots},
        history=history_of(db.session, record, *record.documents))


@bp.route("/imports/<int:import_id>")
@require("labelling.view")
def show_import(import_id):
    """Show an import: customs, lots and their release, documents, history."""
    return _import_page(get_or_404(ImportRecord, import_id))


@bp.route("/imports/<int:import_id>/clearance", methods=["POST"])
@require("labelling.manage")
def clear_import(import_id):
    """Record the customs document (DUA) and the clearance date."""
    record = get_or_404(ImportRecord, import_id)
    form = ClearanceForm()
    return perform(lambda: record_clearance(db.session, record, form.customs_document.data,
                                            form.customs_cleared_on.data),
                   form=form, render=lambda: _import_page(record, clearance=form),
                   success=_("Customs clearance recorded."),
                   next_url=url_for("labelling.show_import", import_id=record.id))


@bp.route("/imports/<int:import_id>/documents", methods=["POST"])
@require("labelling.manage")
def add_import_document(import_id):
    """Attach a certificate of analysis, GMP certificate or invoice."""
    record = get_or_404(ImportRecord, import_id)
    form = DocumentForm()
    return perform(lambda: attach_document(db.session, record, form.kind.data,
                                           form.document.data, by=current_user),
                   form=form, render=lambda: _import_page(record, document=form),
                   success=_("Document attached."),
                   next_url=url_for("labelling.show_import", import_id=record.id))


@bp.route("/documents/<int:document_id>")
@require("labelling.view")
def import_document(document_id):
    """Download an import's document."""
    document = get_or_404(ImportDocument, document_id)
    return send_stored_file(document.file)


def _lot_or_404(lot_id):
    lot = get_or_404(Lot, lot_id)
    if lot.trial is None:
        abort(404)
    return lot


def _lot_page(lot, certify=None, release=None, campaign=None):
    release = release or ReleaseForm(formdata=None)
    release.country.choices = [(c, f"{c} · {COUNTRY_NAMES.get(c, c)}")
                               for c in lot.trial.country_list]
    certification = certification_of(db.session, lot)
    campaigns = db.session.scalars(select(ExpiryExtension).where(
        ExpiryExtension.lot_id == lot.id).order_by(ExpiryExtension.id.desc())).all()
    return render_template(
        "labelling/lot.html", lot=lot, record=import_of(db.session, lot),
        certification=certification, releases=releases_of(db.session, lot),
        certify_form=certify or CertifyForm(formdata=None, meaning="certified"),
        release_form=release, campaign_form=campaign or CampaignForm(formdata=None),
        campaigns=campaigns,
        signatures=signatures_for(db.session, certification) if certification else [],
        history=history_of(db.session, lot, certification, *releases_of(db.session, lot)))


@bp.route("/lots/<int:lot_id>")
@require("labelling.view")
def show_lot(lot_id):
    """Show a lot's release: import, QP certification, releases per country, campaigns."""
    return _lot_page(_lot_or_404(lot_id))


@bp.route("/lots/<int:lot_id>/certify", methods=["POST"])
@require("labelling.certify")
def certify(lot_id):
    """The QP certifies the lot with an e-signature."""
    lot = _lot_or_404(lot_id)
    form = CertifyForm()
    return perform(lambda: certify_lot(db.session, lot, signer=current_user,
                                       password=form.password.data, comment=form.comment.data),
                   form=form, render=lambda: _lot_page(lot, certify=form),
                   success=_("Lot %(lot)s is certified.", lot=lot.number),
                   next_url=url_for("labelling.show_lot", lot_id=lot.id))


@bp.route("/lots/<int:lot_id>/release", methods=["POST"])
@require("labelling.release")
def release(lot_id):
    """Record the sponsor's release of the lot for a country."""
    lot = _lot_or_404(lot_id)
    form = ReleaseForm()
    form.country.choices = [(c, c) for c in lot.trial.country_list]
    return perform(lambda: release_for_country(db.session, lot, form.data, by=current_user,
                                               document=form.document.data),
                   form=form, render=lambda: _lot_page(lot, release=form),
                   success=lambda r: _("Lot %(lot)s released for %(country)s.", lot=lot.number,
                                       country=r.country),
                   next_url=url_for("labelling.show_lot", lot_id=lot.id))


@bp.route("/lots/<int:lot_id>/extend", methods=["POST"])
@require("labelling.extend")
def extend(lot_id):
    """QA records a new expiry for the lot: a relabel campaign opens."""
    lot = _lot_or_404(lot_id)
    form = CampaignForm()
    return perform(lambda: open_campaign(db.session, lot, form.data, current_user),
                   form=form, render=lambda: _lot_page(lot, campaign=form),
                   success=_("Relabel campaign opened."),
                   next_url=lambda c: url_for("labelling.show_campaign", campaign_id=c.id))
