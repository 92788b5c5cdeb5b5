"""Subjects: list, register, edit, and their separately guarded identity."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.core.listing import build_listing
from app.core.permissions import require
from app.core.views_helpers import attach_error
from app.extensions import db
from app.trials import bp
from app.trials.forms import EditSubjectForm, IdentityForm, SubjectForm
from app.trials.models import SUBJECT_STATUSES, Site, Subject, Trial
from app.trials.queries import can_see_identity, visible_sites, visible_subjects
from app.trials.services import (
    IDENTITY_FIELDS,
    TrialError,
    create_subject,
    note_identity_viewed,
    save_identity,
    update_subject,
)


def _site_choices(trial_id=None):
    stmt = visible_sites(current_user).order_by(Trial.protocol_code, Site.site_number)
    if trial_id:
        stmt = stmt.where(Site.trial_id == trial_id)
    return [(s.id, f"{s.trial.protocol_code} · {s.site_number} · {s.hospital}")
            for s in db.session.scalars(stmt)]


def _visible_subject_or_404(subject_id):
    subject = db.session.scalar(visible_subjects(current_user).where(Subject.id == subject_id))
    if subject is None:
        abort(404)
    return subject


def _chosen_site(form):
    site = db.session.scalar(visible_sites(current_user).where(Site.id == form.site_id.data))
    if site is None:
        abort(404)
    return site


@bp.route("/subjects")
@require("subjects.view")
def list_subjects():
    """List subjects the user may see, by trial, site and status."""
    stmt = visible_subjects(current_user)
    for arg, column in (("trial", Subject.trial_id), ("site", Subject.site_id)):
        value = request.args.get(arg, type=int)
        if value:
            stmt = stmt.where(column == value)
    status = request.args.get("status")
    if status in SUBJECT_STATUSES:
        stmt = stmt.where(Subject.status == status)
    listing = build_listing(
        stmt,
        sorts={"code": Subject.code, "trial": Trial.protocol_code, "site": Site.site_number,
               "status": Subject.status, "enrolled": Subject.enrolment_date},
        default_sort="code",
        search_columns=(Subject.code,),
    )
    return render_template("trials/subjects.html", listing=listing, sites=_site_choices(),
                           statuses=SUBJECT_STATUSES)


@bp.route("/subjects/new", methods=["GET", "POST"])
@require("subjects.edit")
def new_subject():
    """Register a subject at one of the user's sites."""
    form = SubjectForm()
    form.site_id.choices = _site_choices()
    if request.method == "GET" and request.args.get("site", type=int):
        form.site_id.data = request.args.get("site", type=int)
    if form.validate_on_submit():
        try:
            subject = create_subject(db.session, _chosen_site(form), form.data)
        except TrialError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Subject %(code)s registered.", code=subject.code), "success")
            return redirect(url_for("trials.show_subject", subject_id=subject.id))
    return render_template("trials/subject_form.html", form=form, subject=None)


@bp.route("/subjects/<int:subject_id>")
@require("subjects.view")
def show_subject(subject_id):
    """Show a subject's pseudonymised record and history."""
    subject = _visible_subject_or_404(subject_id)
    return render_template(
        "trials/subject.html", subject=subject,
        identity_allowed=can_see_identity(current_user, subject),
        history=history_of(db.session, subject),
    )


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
@require("subjects.edit")
def edit_subject(subject_id):
    """Change a subject's code, site, status or enrolment date, giving a reason."""
    subject = _visible_subject_or_404(subject_id)
    form = EditSubjectForm(obj=subject)
    form.site_id.choices = _site_choices(subject.trial_id)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            update_subject(db.session, subject, _chosen_site(form), form.data, form.reason.data)
        except TrialError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Subject %(code)s updated.", code=subject.code), "success")
            return redirect(url_for("trials.show_subject", subject_id=subject.id))
    return render_template("trials/subject_form.html", form=form, subject=subject)


def _identity_subject(subject_id):
    subject = _visible_subject_or_404(subject_id)
    if not can_see_identity(current_user, subject):
        abort(403)
    return subject


@bp.route("/subjects/<int:subject_id>/identity", methods=["GET", "POST"])
@require("subjects.identity")
def subject_identity(subject_id):
    """Show and change who the subject is; every opening is audited."""
    subject = _identity_subject(subject_id)
    identity = subject.identity
    form = IdentityForm(obj=identity)
    if request.method == "GET":
        form.reason.data = ""
        note_identity_viewed(db.session, subject)
        db.session.commit()
    editable = current_user.can("subjects.edit")
    if request.method == "POST":
        if not editable:
            abort(403)
        if form.validate_on_submit():
            data = {name: form[name].data for name in IDENTITY_FIELDS}
            save_identity(db.session, subject, data, form.reason.data)
            db.session.commit()
            flash(_("Identity details saved."), "success")
            return redirect(url_for("trials.show_subject", subject_id=subject.id))
    return render_template("trials/identity.html", subject=subject, form=form,
                           editable=editable, history=history_of(db.session, identity)
                           if identity else [])
