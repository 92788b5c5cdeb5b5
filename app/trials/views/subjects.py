"""Subjects: list, register, edit, move status, and their separately guarded identity."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.core.actions import perform, record_read
from app.core.listing import build_listing, where_choice_args, where_id_args
from app.core.permissions import require, route_permission
from app.extensions import db
from app.trials import bp
from app.trials.forms import EditSubjectForm, IdentityForm, SubjectForm
from app.trials.models import SUBJECT_STATUSES, Site, Subject, Trial
from app.trials.queries import can_see_identity, site_choices, visible_sites, visible_subjects
from app.trials.services.subjects import (
    IDENTITY_FIELDS,
    change_subject_status,
    create_subject,
    note_identity_viewed,
    save_identity,
    update_subject,
)
from app.trials.states import SUBJECT_MACHINE
from app.trials.views.status import change_status, status_panel


def _visible_subject_or_404(subject_id, permission=None):
    """Return a subject the permission (the route's by default) reaches, or answer 404."""
    return db.first_or_404(visible_subjects(current_user, permission or route_permission())
                           .where(Subject.id == subject_id))


def _chosen_site(form):
    return db.first_or_404(visible_sites(current_user, "subjects.edit")
                           .where(Site.id == form.site_id.data))


def _shown(subject):
    return url_for("trials.show_subject", subject_id=subject.id)


@bp.route("/subjects")
@require("subjects.view")
def list_subjects():
    """List subjects the user may see, by trial, site and status."""
    stmt = where_id_args(visible_subjects(current_user), request.args,
                         {"trial": Subject.trial_id, "site": Subject.site_id})
    stmt = where_choice_args(stmt, request.args, {"status": (Subject.status, SUBJECT_STATUSES)})
    listing = build_listing(
        stmt,
        sorts={"code": Subject.code, "trial": Trial.protocol_code, "site": Site.site_number,
               "status": Subject.status, "enrolled": Subject.enrolment_date},
        default_sort="code",
        search_columns=(Subject.code,),
    )
    return render_template("trials/subjects.html", listing=listing,
                           sites=site_choices(db.session, current_user),
                           statuses=SUBJECT_STATUSES)


@bp.route("/subjects/new", methods=["GET", "POST"])
@require("subjects.edit")
def new_subject():
    """Register a subject at one of the user's sites."""
    form = SubjectForm()
    form.site_id.choices = site_choices(db.session, current_user)

    def page():
        return render_template("trials/subject_form.html", form=form, subject=None)

    if request.method == "GET":
        form.site_id.data = request.args.get("site", type=int)
    return perform(
        lambda: create_subject(db.session, _chosen_site(form), form.data), form=form,
        render=page, success=lambda subject: _("Subject %(code)s registered.", code=subject.code),
        next_url=_shown)


def _subject_page(subject, status_form=None):
    return render_template(
        "trials/subject.html", subject=subject,
        identity_allowed=can_see_identity(current_user, subject),
        history=history_of(db.session, subject),
        **status_panel(SUBJECT_MACHINE, subject, status_form),
    )


@bp.route("/subjects/<int:subject_id>")
@require("subjects.view")
def show_subject(subject_id):
    """Show a subject's pseudonymised record, status moves and history."""
    return _subject_page(_visible_subject_or_404(subject_id))


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
@require("subjects.edit")
def edit_subject(subject_id):
    """Change a subject's code, site or enrolment date, giving a reason."""
    subject = _visible_subject_or_404(subject_id)
    form = EditSubjectForm(obj=subject)
    form.site_id.choices = site_choices(db.session, current_user, subject.trial_id)

    def page():
        return render_template("trials/subject_form.html", form=form, subject=subject)

    if request.method == "GET":
        form.reason.data = ""
    return perform(
        lambda: update_subject(db.session, subject, _chosen_site(form), form.data,
                               form.reason.data),
        form=form, render=page,
        success=lambda _r: _("Subject %(code)s updated.", code=subject.code),
        next_url=_shown(subject))


@bp.route("/subjects/<int:subject_id>/status", methods=["POST"])
@require("subjects.edit")
def subject_status(subject_id):
    """Enrol, withdraw, complete or fail a subject's screening, giving a reason."""
    subject = _visible_subject_or_404(subject_id)
    return change_status(
        subject, change_subject_status, page=_subject_page,
        success=_("The status of subject %(code)s was changed.", code=subject.code),
        next_url=_shown(subject))


def _identity_subject_or_404(subject_id):
    subject = _visible_subject_or_404(subject_id)  # reached by the route's own permission
    if not can_see_identity(current_user, subject):
        abort(404)  # outside the user's scope
    return subject


def _identity_page(subject, form):
    identity = subject.identity
    return render_template("trials/identity.html", subject=subject, form=form,
                           editable=current_user.can("subjects.edit"),
                           history=history_of(db.session, identity) if identity else [])


@bp.route("/subjects/<int:subject_id>/identity")
@require("subjects.identity")
def subject_identity(subject_id):
    """Show who the subject is; every opening is audited."""
    subject = _identity_subject_or_404(subject_id)
    form = IdentityForm(obj=subject.identity)
    form.reason.data = ""
    record_read(lambda session: note_identity_viewed(session, subject))
    return _identity_page(subject, form)


@bp.route("/subjects/<int:subject_id>/identity", methods=["POST"])
@require("subjects.edit")
def save_subject_identity(subject_id):
    """Change who the subject is, giving a reason."""
    subject = _identity_subject_or_404(subject_id)
    form = IdentityForm(obj=subject.identity)
    return perform(
        lambda: save_identity(db.session, subject,
                              {name: form[name].data for name in IDENTITY_FIELDS},
                              form.reason.data),
        form=form, render=lambda: _identity_page(subject, form),
        success=_("Identity details saved."), next_url=_shown(subject))
