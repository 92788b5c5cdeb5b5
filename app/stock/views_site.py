"""At the site: dispense the proposed kit to a subject at a visit, record returns."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField

from app.core.permissions import require
from app.core.views_helpers import attach_error, get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.forms import DispenseForm, ReturnForm
from app.stock.ledger import StockError
from app.stock.ledger_models import Dispensing, KitReturn
from app.stock.models import Kit
from app.stock.supply import dispense_kit, propose_kit, return_kit, visit_choices
from app.trials.models import Site, Subject, TrialVisit
from app.trials.queries import can_see_site


class ConfirmDispenseForm(DispenseForm):
    """The dispense form plus the kit the system proposed."""

    proposed_kit_id = HiddenField()


def _site_for_user(site_id):
    site = get_or_404(Site, site_id)
    if not can_see_site(current_user, site):
        abort(404)
    return site


@bp.route("/sites/<int:site_id>/dispense", methods=["GET", "POST"])
@require("stock.dispense")
def dispense(site_id):
    """Pick subject and visit, see the proposed kit, confirm it by scanning its number."""
    site = _site_for_user(site_id)
    form = ConfirmDispenseForm(request.args) if request.method == "GET" else ConfirmDispenseForm()
    subjects = db.session.scalars(select(Subject).where(
        Subject.site_id == site.id, Subject.status.in_(("enrolled", "screening")))
        .order_by(Subject.code)).all()
    form.subject_id.choices = [(s.id, s.code) for s in subjects]
    form.visit_id.choices = visit_choices(site.trial)
    subject = next((s for s in subjects if s.id == form.subject_id.data), None)
    proposed = propose_kit(db.session, subject) if subject else None
    if request.method == "POST" and form.validate_on_submit() and subject is not None:
        visit = get_or_404(TrialVisit, form.visit_id.data)
        kit = db.session.get(Kit, int(form.proposed_kit_id.data or 0)) \
            if (form.proposed_kit_id.data or "").isdigit() else None
        try:
            dispensing = dispense_kit(db.session, subject, visit, kit, form.kit_number.data,
                                      by=current_user)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Kit %(kit)s dispensed to %(subject)s at visit %(visit)s.",
                    kit=dispensing.kit.kit_number, subject=subject.code, visit=visit.number),
                  "success")
            return redirect(url_for("stock.dispense", site_id=site.id))
    if proposed is not None:
        form.proposed_kit_id.data = str(proposed.id)
    recent = db.session.scalars(select(Dispensing).where(Dispensing.site_id == site.id)
                                .order_by(Dispensing.id.desc()).limit(10)).all()
    return render_template("stock/dispense.html", site=site, form=form, subject=subject,
                           proposed=proposed, recent=recent)


@bp.route("/sites/<int:site_id>/returns", methods=["GET", "POST"])
@require("stock.dispense")
def returns(site_id):
    """Record a kit returned by its subject: units returned and missing, condition."""
    site = _site_for_user(site_id)
    form = ReturnForm()
    if form.validate_on_submit():
        kit = db.session.scalar(select(Kit).where(Kit.trial_id == site.trial_id,
                                                  Kit.kit_number == form.kit_number.data))
        try:
            if kit is None:
                raise StockError(_("Kit %(kit)s is unknown in this trial.",
                                   kit=form.kit_number.data), "kit_number")
            dispensing = db.session.scalar(select(Dispensing).where(Dispensing.kit_id == kit.id))
            if dispensing is not None and dispensing.site_id != site.id:
                raise StockError(_("Kit %(kit)s was dispensed at another site.",
                                   kit=kit.kit_number), "kit_number")
            return_kit(db.session, kit, units_returned=form.units_returned.data,
                       units_missing=form.units_missing.data, condition=form.condition.data,
                       explanation=form.explanation.data, by=current_user)
        except StockError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Return of kit %(kit)s recorded.", kit=kit.kit_number), "success")
            return redirect(url_for("stock.returns", site_id=site.id))
    recent = db.session.scalars(select(KitReturn).where(KitReturn.site_id == site.id)
                                .order_by(KitReturn.id.desc()).limit(10)).all()
    return render_template("stock/returns.html", site=site, form=form, recent=recent)
