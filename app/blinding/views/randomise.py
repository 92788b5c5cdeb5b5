"""Subjects and their randomisation: number and date for everyone, never the arm."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField

from app.blinding import bp
from app.blinding.forms import RandomiseForm, StrataForm
from app.blinding.models import CodeBreak, Randomisation, RandomisationSlot
from app.blinding.queries import broken_subject_ids, subjects_overview
from app.blinding.services.lists import list_in_use
from app.blinding.services.randomise import environment, randomisation_of, randomise
from app.blinding.services.strata import correct_strata
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


def with_factors(base, factors, defaults=None):
    """The form with one select per stratification factor (stratum_0, stratum_1, ...)."""
    fields = {f"stratum_{i}": SelectField(f["name"], default=(defaults or {}).get(f["name"]),
                                          choices=[("", "—")] + [(v, v) for v in f["levels"]])
              for i, f in enumerate(factors)}
    return type(f"{base.__name__}WithStrata", (base,), fields)()


def entered_strata(form, factors):
    """The levels chosen on the form, by factor name."""
    return {f["name"]: form[f"stratum_{i}"].data or "" for i, f in enumerate(factors)}


def randomise_form(subject):
    """The randomisation form with one select per stratification factor of the list in use."""
    rlist = list_in_use(db.session, subject.trial, environment())
    factors = (rlist.parameters.get("strata") or []) if rlist else []
    return with_factors(RandomiseForm, factors), factors, rlist


@bp.route("/subjects/<int:subject_id>/randomise", methods=["GET", "POST"])
@require("blinding.randomise")
def randomise_subject(subject_id):
    """Confirm eligibility, enter the strata, get the next free number of the stratum."""
    subject = visible_subject_or_404(subject_id, "blinding.randomise")
    form, factors, rlist = randomise_form(subject)

    def act():
        return randomise(db.session, subject, strata=entered_strata(form, factors),
                         eligible=form.eligible.data, by=current_user)

    return perform(act, form=form, render=lambda: render_template(
        "blinding/randomise.html", form=form, subject=subject, rlist=rlist,
        factors=[f"stratum_{i}" for i in range(len(factors))]),
        success=lambda done: _("Subject %(s)s is randomised: number %(n)s.",
                               s=subject.code, n=done.number),
        next_url=url_for("blinding.show_subject", subject_id=subject.id))


@bp.route("/subjects/<int:subject_id>/strata", methods=["GET", "POST"])
@require("blinding.strata")
def correct_subject_strata(subject_id):
    """QA corrects a randomised subject's strata with a reason and e-signature."""
    subject = visible_subject_or_404(subject_id, "blinding.strata")
    done = randomisation_of(db.session, subject)
    if done is None:
        abort(404)
    slot = db.session.get(RandomisationSlot, done.slot_id)
    factors = slot.randomisation_list.parameters.get("strata") or []
    form = with_factors(StrataForm, factors, done.strata)
    return perform(
        lambda: correct_strata(db.session, done, strata=entered_strata(form, factors),
                               reason=form.reason.data, by=current_user,
                               password=form.password.data),
        form=form, render=lambda: render_template(
            "blinding/strata.html", form=form, subject=subject, randomisation=done,
            factors=[f"stratum_{i}" for i in range(len(factors))]),
        success=_("Strata corrected; the randomisation number is unchanged."),
        next_url=url_for("blinding.show_subject", subject_id=subject.id))
