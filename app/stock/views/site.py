"""At the site: dispense the proposed kit to a subject at a visit, record returns."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField

from app.core.actions import perform
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.queries import get_or_404
from app.extensions import db
from app.stock import bp
from app.stock.forms import DispenseForm, ReturnForm
from app.stock.models import Dispensing, Kit, KitReturn
from app.stock.queries import kits_to_link, visit_choices
from app.stock.services.kittypes import kit_type_of
from app.stock.services.site import dispense_kit, propose_kit, record_return_at_site
from app.stock.services.visits import replacement_kit_type, subject_schedule
from app.trials.api import Site, Subject, can_see_site


class ConfirmDispenseForm(DispenseForm):
    """The dispense form plus the kit the system proposed."""

    proposed_kit_id = HiddenField()


def _site_for_user(site_id):
    site = get_or_404(Site, site_id)
    if not can_see_site(current_user, site, "stock.dispense"):
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
    visit = next((v for v in site.trial.visits if v.id == form.visit_id.data and v.active),
                 None)

    def render():
        proposed = None
        if subject is not None:
            kit_type = (replacement_kit_type(db.session, subject, visit)
                        if visit is not None and form.replacement_reason.data else None)
            proposed = propose_kit(db.session, subject, visit=visit, kit_type=kit_type)
        if proposed is not None:
            form.proposed_kit_id.data = str(proposed.id)
        recent = db.session.scalars(select(Dispensing).where(Dispensing.site_id == site.id)
                                    .order_by(Dispensing.id.desc()).limit(10)).all()
        return render_template(
            "stock/dispense.html", site=site, form=form, subject=subject, visit=visit,
            proposed=proposed, recent=recent,
            proposed_type=kit_type_of(db.session, proposed) if proposed else None,
            schedule=subject_schedule(db.session, subject) if subject else [])

    def give():
        if visit is None:
            raise DomainError(_("Choose the visit."), "visit_id")
        proposed_id = form.proposed_kit_id.data or ""
        kit = db.session.get(Kit, int(proposed_id)) if proposed_id.isdigit() else None
        return dispense_kit(db.session, subject, visit, kit, form.kit_number.data,
                            by=current_user, replacement_reason=form.replacement_reason.data,
                            explanation=form.explanation.data,
                            off_window_reason=form.off_window_reason.data)

    return perform(give, form=form, render=render,
                   next_url=url_for("stock.dispense", site_id=site.id),
                   success=lambda given: _(
                       "Kit %(kit)s dispensed to %(subject)s at visit %(visit)s.",
                       kit=given.kit.kit_number, subject=subject.code,
                       visit=given.visit.number))


@bp.route("/sites/<int:site_id>/returns", methods=["GET", "POST"])
@require("stock.dispense")
def returns(site_id):
    """Record a kit returned by its subject: units returned and missing, condition."""
    site = _site_for_user(site_id)
    form = ReturnForm()

    def render():
        recent = db.session.scalars(select(KitReturn).where(KitReturn.site_id == site.id)
                                    .order_by(KitReturn.id.desc()).limit(10)).all()
        return render_template("stock/returns.html", site=site, form=form, recent=recent,
                               linked_kits=kits_to_link(current_user,
                                                        [r.kit_id for r in recent]))

    def record():
        return record_return_at_site(
            db.session, site, form.kit_number.data, units_returned=form.units_returned.data,
            units_missing=form.units_missing.data, condition=form.condition.data,
            explanation=form.explanation.data, by=current_user)

    return perform(record, form=form, render=render,
                   next_url=url_for("stock.returns", site_id=site.id),
                   success=lambda kit_return: _("Return of kit %(kit)s recorded.",
                                                kit=kit_return.kit.kit_number))
