"""The sponsor's authorisations to destroy: record with the signed document, show, download."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.destruction import bp
from app.destruction.forms import AuthorisationForm
from app.destruction.models import Authorisation, Reconciliation
from app.destruction.services.authorisations import describe_scope, record_authorisation
from app.extensions import db
from app.files.services import send_stored_file
from app.stock.api import Lot
from app.trials.api import Site, Trial, visible_trials


def auth_or_404(auth_id):
    """Return the authorisation (only unscoped users see authorisations), else 404."""
    auth = get_or_404(Authorisation, auth_id)
    if current_user.site_scope("destruction.view") is not None:
        abort(404)
    return auth


@bp.route("/authorisations/new", methods=["GET", "POST"])
@require("destruction.manage")
def new_authorisation():
    """Record the sponsor's written authorisation with its scope and the signed document."""
    form = AuthorisationForm()
    trials = db.session.scalars(visible_trials(current_user, "destruction.manage")
                                .order_by(Trial.protocol_code)).all()
    form.trial_id.choices = [(t.id, t.protocol_code) for t in trials]
    ids = [t.id for t in trials]
    form.site_ids.choices = [(s.id, f"{s.trial.protocol_code} · {s.site_number}") for s in
                             db.session.scalars(select(Site).where(Site.trial_id.in_(ids))
                                                .order_by(Site.site_number))]
    form.lot_ids.choices = [(lot.id, lot.number) for lot in db.session.scalars(
        select(Lot).where(Lot.trial_id.in_(ids)).order_by(Lot.number))]
    recs = db.session.scalars(select(Reconciliation).where(
        Reconciliation.status == "verified").order_by(Reconciliation.id.desc())).all()
    form.reconciliation_id.choices = [(0, "—")] + [
        (r.id, f"{r.number} · {r.trial.protocol_code} {r.site.site_number}") for r in recs]

    def record():
        trial = next((t for t in trials if t.id == form.trial_id.data), None)
        if trial is None:
            abort(404)
        rec = next((r for r in recs if r.id == form.reconciliation_id.data), None)
        upload = form.document.data
        return record_authorisation(
            db.session, trial, reference=form.reference.data, signed_on=form.signed_on.data,
            signed_by=form.signed_by.data, valid_from=form.valid_from.data,
            valid_until=form.valid_until.data, sponsor_email=form.sponsor_email.data,
            site_ids=form.site_ids.data, lot_ids=form.lot_ids.data,
            kit_from=form.kit_from.data, kit_to=form.kit_to.data, reconciliation=rec,
            document=upload.read() if upload else None,
            document_name=upload.filename if upload else None, by=current_user)

    return perform(record, form=form,
                   render=lambda: render_template("destruction/authorisation_form.html",
                                                  form=form),
                   success=_("Authorisation recorded."),
                   next_url=lambda auth: url_for("destruction.show_authorisation",
                                                 auth_id=auth.id))


@bp.route("/authorisations/<int:auth_id>")
@require("destruction.view")
def show_authorisation(auth_id):
    """Show an authorisation, its scope and history."""
    auth = auth_or_404(auth_id)
    return render_template("destruction/authorisation.html", auth=auth,
                           scope=describe_scope(auth), history=history_of(db.session, auth))


@bp.route("/authorisations/<int:auth_id>/document")
@require("destruction.view")
def authorisation_document(auth_id):
    """Open the signed authorisation document."""
    return send_stored_file(auth_or_404(auth_id).document)
