"""Reconciliations: draw up, explain each difference, close, verify by the monitor's signature."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.permissions import require
from app.core.queries import get_or_404
from app.destruction import bp
from app.destruction.forms import ExplainForm, ReconciliationForm
from app.destruction.models import Reconciliation, ReconciliationKit
from app.destruction.queries import can_see_reconciliation
from app.destruction.services import reconciliation as service
from app.esign.forms import SignForm
from app.esign.services import signatures_for
from app.extensions import db
from app.stock.api import KIT_STATES, Kit
from app.trials.api import Site, visible_sites


def rec_or_404(rec_id):
    """Return the reconciliation if the user may see it, else 404."""
    rec = get_or_404(Reconciliation, rec_id)
    if not can_see_reconciliation(current_user, rec):
        abort(404)
    return rec


def _url(rec, anchor=""):
    return url_for("destruction.show_reconciliation", rec_id=rec.id) + anchor


@bp.route("/reconciliations/new", methods=["GET", "POST"])
@require("destruction.reconcile")
def new_reconciliation():
    """Draw up a site's reconciliation over a period (frozen now)."""
    form = ReconciliationForm()
    sites = db.session.scalars(visible_sites(current_user, "destruction.reconcile")
                               .order_by(Site.trial_id, Site.site_number)).all()
    form.site_id.choices = [(s.id, f"{s.trial.protocol_code} · {s.site_number} {s.hospital}")
                            for s in sites]

    def draw_up():
        site = next((s for s in sites if s.id == form.site_id.data), None)
        if site is None:
            abort(404)
        return service.draw_up(db.session, site, form.period_start.data,
                               form.period_end.data, by=current_user)

    return perform(draw_up, form=form,
                   render=lambda: render_template("destruction/reconciliation_form.html",
                                                  form=form),
                   success=_("Reconciliation drawn up: explain each difference, then close it."),
                   next_url=_url)


def render_reconciliation(rec, sign=None):
    """Show a reconciliation with its figures, differences, kits, signatures and history."""
    figures, differences = service.frozen(rec)
    notes = {n.key: n for n in rec.notes}
    kits = db.session.scalars(select(Kit).join(ReconciliationKit).where(
        ReconciliationKit.reconciliation_id == rec.id).order_by(Kit.kit_number).limit(200)).all()
    if sign is None and rec.status == "closed" and current_user.can("destruction.verify"):
        sign = SignForm(meaning="verified")
    return render_template(
        "destruction/reconciliation.html", rec=rec, figures=figures, differences=differences,
        notes=notes, kits=kits, kit_states=KIT_STATES, explain=ExplainForm(), sign=sign,
        signatures=signatures_for(db.session, rec),
        history=history_of(db.session, rec, *rec.notes))


@bp.route("/reconciliations/<int:rec_id>")
@require("destruction.view")
def show_reconciliation(rec_id):
    """Show a reconciliation."""
    return render_reconciliation(rec_or_404(rec_id))


@bp.route("/reconciliations/<int:rec_id>/explain/<key>", methods=["POST"])
@require("destruction.reconcile")
def explain_difference(rec_id, key):
    """Explain one difference."""
    rec = rec_or_404(rec_id)
    form = ExplainForm()
    return perform(lambda: service.explain(db.session, rec, key, form.explanation.data,
                                           by=current_user), form=form,
                   success=_("Explanation saved."), next_url=_url(rec, "#differences"))


@bp.route("/reconciliations/<int:rec_id>/close", methods=["POST"])
@require("destruction.reconcile")
def close_reconciliation(rec_id):
    """Close the reconciliation once every difference is explained."""
    rec = rec_or_404(rec_id)
    return perform(lambda: service.close(db.session, rec, by=current_user),
                   success=_("Reconciliation closed: the monitor verifies it next."),
                   next_url=_url(rec))


@bp.route("/reconciliations/<int:rec_id>/verify", methods=["POST"])
@require("destruction.verify")
def verify_reconciliation(rec_id):
    """The monitor verifies the reconciliation by e-signature."""
    rec = rec_or_404(rec_id)
    form = SignForm()
    return perform(lambda: service.verify(db.session, rec, signer=current_user,
                                          password=form.password.data),
                   form=form, render=lambda: render_reconciliation(rec, sign=form),
                   success=_("Reconciliation verified and signed."), next_url=_url(rec))
