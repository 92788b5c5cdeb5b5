"""Subjects and their randomisation: number and date for everyone, never the arm."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField

from app.blinding import bp
from app.blinding.forms import RandomiseForm
from app.blinding.models import CodeBreak, Randomisation
from app.blinding.queries import broken_subject_ids, subjects_overview
from app.blinding.services.lists import list_in_use
from app.blinding.services.randomise import environment, randomisation_of, randomise
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.extensions import db
from app.trials.api import Subject, visible_subjects


@bp.route("/subjects")
@require("blinding.view")
def list_subjects():
    """Subjects with their randomisation number and date; broken codes marked."""
    listing = build_listing(
        subjects_overview(current_user),
        sorts={"code": Subject.code, "randomised": Randomisation.randomised_at},
        default_sort="code", search_columns=(Subject.code, Randomisation.number))
    broken = broken_subject_ids(db.session, [s.id for s in listing.items])
    randomisations = {r.subject_id: r for r in db.session.scalars(select(Randomisation).where(
        Randomisation.subject_id.in_([s.id for s in listing.items])))}
    return render_template("blinding/subjects.html", listing=listing, broken=broken,
                           randomisations=randomisations)


def visible_subject_or_404(subject_id, permission="blinding.view"):
    """The subject when the permission reaches their site, else 404."""
    subject = db.session.scalar(visible_subjects(current_user, permission)
                                .where(Subject.id == subject_id))
    if subject is None:
        abort(404)
    return subject


@bp.route("/subjects/<int:subject_id>")
@require("blinding.view")
def show_subject(subject_id):
    """A subject's randomisation and code breaks (never the arm)."""
    subject = visible_subject_or_404(subject_id)
    breaks = db.session.scalars(select(CodeBreak).where(CodeBreak.subject_id == subject.id)
                                .order_by(CodeBreak.broken_at)).all()
    return render_template("blinding/subject.html", subject=subject, breaks=breaks,
                           randomisation=randomisation_of(db.session, subject))


def randomise_form(subject):
    """The randomisation form with one select per stratification factor of the list in use."""
    rlist = list_in_use(db.session, subject.trial, environment())
    factors = (rlist.parameters.get("strata") or []) if rlist else []
    fields = {f"stratum_{i}": SelectField(f["name"], choices=[("", "—")] + [
        (level, level) for level in f["levels"]]) for i, f in enumerate(factors)}
    form_class = type("RandomiseSubjectForm", (RandomiseForm,), fields)
    form = form_class()
    return form, factors, rlist


@bp.route("/subjects/<int:subject_id>/randomise", methods=["GET", "POST"])
@require("blinding.randomise")
def randomise_subject(subject_id):
    """Confirm eligibility, enter the strata, get the next free number of the stratum."""
    subject = visible_subject_or_404(subject_id, "blinding.randomise")
    form, factors, rlist = randomise_form(subject)

    def act():
        strata = {f["name"]: form[f"stratum_{i}"].data or "" for i, f in enumerate(factors)}
        return randomise(db.session, subject, strata=strata, eligible=form.eligible.data,
                         by=current_user)

    return perform(act, form=form, render=lambda: render_template(
        "blinding/randomise.html", form=form, subject=subject, rlist=rlist,
        factors=[f"stratum_{i}" for i in range(len(factors))]),
        success=lambda done: _("Subject %(s)s is randomised: number %(n)s.",
                               s=subject.code, n=done.number),
        next_url=url_for("blinding.show_subject", subject_id=subject.id))
