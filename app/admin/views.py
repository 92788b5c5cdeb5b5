"""List, invite and edit accounts; see the outbox."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.admin import bp
from app.admin.forms import EditUserForm, UserForm
from app.audit.queries import history_of
from app.audit.services import record_event, set_reason
from app.auth.models import User, UserRole
from app.auth.services import AuthError, create_user, invitation_token, update_user
from app.core.listing import build_listing
from app.core.permissions import ROLE_LABELS, ROLES, require
from app.extensions import db
from app.notify.models import OutboxMessage
from app.notify.services import queue_email
from app.trials.models import Site, Trial


def _site_choices():
    rows = db.session.execute(
        select(Site.id, Trial.protocol_code, Site.site_number, Site.hospital)
        .join(Trial).order_by(Trial.protocol_code, Site.site_number)
    ).all()
    return [(i, f"{code} · {num} · {hospital}") for i, code, num, hospital in rows]


def _chosen_sites(ids):
    return db.session.scalars(select(Site).where(Site.id.in_(ids or []))).all()


def send_invitation(user):
    """Queue the invitation e-mail in the user's language."""
    link = url_for("auth.accept_invitation", token=invitation_token(user), _external=True)
    with force_locale(user.language):
        subject = _("Your access to the clinical trial logistics portal")
        body = _("Hello %(name)s,\n\nAn account has been created for you. Open this link "
                 "to choose your password (valid for 7 days):\n\n%(link)s\n",
                 name=user.full_name, link=link)
    queue_email(db.session, user.email, subject, body)
    record_event(db.session, "invitation_sent", "user", user.id, label=user.audit_label())


@bp.route("/users")
@require("users.manage")
def list_users():
    """List accounts with search, role and status filters."""
    stmt = select(User)
    role = request.args.get("role")
    if role in ROLES:
        stmt = stmt.where(User.role_links.any(UserRole.role == role))
    status = request.args.get("status")
    if status in ("active", "inactive"):
        stmt = stmt.where(User.active.is_(status == "active"))
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
    if form.validate_on_submit():
        try:
            user = create_user(
                db.session, email=form.email.data, full_name=form.full_name.data,
                language=form.language.data, roles=form.roles.data,
                sites=_chosen_sites(form.sites.data),
            )
        except AuthError as error:
            form.email.errors.append(str(error))
        else:
            send_invitation(user)
            db.session.commit()
            flash(_("Account created. The invitation was sent to %(email)s.",
                    email=user.email), "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


def _get_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>")
@require("users.manage")
def show_user(user_id):
    """Show an account, its roles, sites and history."""
    user = _get_user(user_id)
    return render_template("admin/user.html", user=user, history=history_of(db.session, user))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id):
    """Change roles, sites, language or the active flag, with a reason."""
    user = _get_user(user_id)
    form = EditUserForm(obj=user)
    form.sites.choices = _site_choices()
    del form.email
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.sites.data = [s.id for s in user.sites]
    if form.validate_on_submit():
        set_reason(db.session, form.reason.data)
        update_user(db.session, user, full_name=form.full_name.data,
                    language=form.language.data, roles=form.roles.data,
                    sites=_chosen_sites(form.sites.data), active=form.active.data)
        db.session.commit()
        flash(_("The account has been updated."), "success")
        return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@require("users.manage")
def resend_invitation(user_id):
    """Send a fresh invitation link (the old password stays until a new one is set)."""
    user = _get_user(user_id)
    if not user.active:
        flash(_("The account is inactive; activate it first."), "warning")
    else:
        send_invitation(user)
        db.session.commit()
        flash(_("A new invitation was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.show_user", user_id=user.id))


@bp.route("/outbox")
@require("users.manage")
def outbox():
    """Show the e-mails the system has queued (the demo sends none)."""
    listing = build_listing(
        select(OutboxMessage),
        sorts={"created": OutboxMessage.created_at, "to": OutboxMessage.recipient},
        default_sort="-created",
        search_columns=(OutboxMessage.recipient, OutboxMessage.subject),
    )
    return render_template("admin/outbox.html", listing=listing)
