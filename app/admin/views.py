"""List, invite and edit accounts; see the outbox."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.admin import bp
from app.admin.forms import EditUserForm, UserForm
from app.admin.queries import users_filtered
from app.admin.services import change_account, invite_user, send_invitation
from app.audit.queries import history_of
from app.auth.models import User
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import ROLE_LABELS, ROLES, require
from app.core.queries import get_or_404
from app.extensions import db
from app.files.services import send_stored_file
from app.notify.models import OutboxAttachment, OutboxMessage
from app.trials.api import Site, site_choices, sponsor_names


def _site_choices():
    return site_choices(db.session, current_user)  # an administrator sees every site


def _sponsor_choices():
    return [(s, s) for s in sponsor_names(db.session, current_user)]


def _chosen_sites(ids):
    return db.session.scalars(select(Site).where(Site.id.in_(ids or []))).all()


def _shown(user):
    return url_for("admin.show_user", user_id=user.id)


@bp.route("/users")
@require("users.manage")
def list_users():
    """List accounts with search, role and status filters."""
    stmt = users_filtered(request.args)
    listing = build_listing(
        stmt,
        sorts={"name": User.full_name, "email": User.email, "last_login": User.last_login_at},
        default_sort="name",
        search_columns=(User.full_name, User.email),
    )
    return render_template("admin/users.html", listing=listing,
                           role_choices=[(r, ROLE_LABELS[r]) for r in ROLES])


@bp.route("/users/new", methods=["GET", "POST"])
@require("users.manage")
def new_user():
    """Create an account and e-mail its invitation link."""
    form = UserForm()
    form.sites.choices = _site_choices()
    form.sponsors.choices = _sponsor_choices()

    def page():
        return render_template("admin/user_form.html", form=form, user=None)

    return perform(
        lambda: invite_user(db.session, email=form.email.data, full_name=form.full_name.data,
                            language=form.language.data, roles=form.roles.data,
                            sites=_chosen_sites(form.sites.data),
                            sponsors=form.sponsors.data),
        form=form, render=page,
        success=lambda user: _("Account created. The invitation was sent to %(email)s.",
                               email=user.email),
        next_url=_shown)


@bp.route("/users/<int:user_id>")
@require("users.manage")
def show_user(user_id):
    """Show an account, its roles, sites and history."""
    user = get_or_404(User, user_id)
    return render_template("admin/user.html", user=user, history=history_of(db.session, user))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id):
    """Change roles, sites, language or the active flag, with a reason."""
    user = get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    form.sites.choices = _site_choices()
    form.sponsors.choices = _sponsor_choices()
    del form.email

    def page():
        return render_template("admin/user_form.html", form=form, user=user)

    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.sites.data = [s.id for s in user.sites]
        form.sponsors.data = user.sponsors
    return perform(
        lambda: change_account(db.session, user, reason=form.reason.data,
                               full_name=form.full_name.data, language=form.language.data,
                               roles=form.roles.data, sites=_chosen_sites(form.sites.data),
                               sponsors=form.sponsors.data, active=form.active.data),
        form=form, render=page, success=_("The account has been updated."),
        next_url=_shown(user))


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@require("users.manage")
def resend_invitation(user_id):
    """Send a fresh invitation link (the old password stays until a new one is set)."""
    user = get_or_404(User, user_id)
    return perform(
        lambda: send_invitation(db.session, user),
        success=_("A new invitation was sent to %(email)s.", email=user.email),
        next_url=_shown(user))


@bp.route("/outbox")
@require("users.manage")
def outbox():
    """Show the e-mails the system has queued (the demo sends none)."""
    listing = build_listing(
        select(OutboxMessage).options(selectinload(OutboxMessage.attachments)),
        sorts={"created": OutboxMessage.created_at, "to": OutboxMessage.recipient},
        default_sort="-created",
        search_columns=(OutboxMessage.recipient, OutboxMessage.subject),
    )
    return render_template("admin/outbox.html", listing=listing)


@bp.route("/outbox/attachments/<int:attachment_id>")
@require("users.manage")
def outbox_attachment(attachment_id):
    """Download a file an outbox e-mail carries, as the recipient receives it."""
    attachment = get_or_404(OutboxAttachment, attachment_id)
    return send_stored_file(attachment.file, as_attachment=True)
