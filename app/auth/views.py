"""Log in, log out, change password, accept an invitation."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from app.auth.services import (
    AuthError,
    authenticate,
    change_own_password,
    log_out,
    set_password,
    user_from_invitation,
)
from app.core.actions import perform
from app.core.permissions import login_only, public
from app.core.urls import safe_next
from app.extensions import db


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Check e-mail and password; lock the account after repeated failures."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))

    def log_in():
        user = authenticate(db.session, form.email.data, form.password.data)
        session.clear()
        login_user(user)
        session["lang"] = user.language
        return user

    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    return perform(
        log_in, form=form, render=lambda: render_template("auth/login.html", form=form),
        success=None, next_url=lambda user: safe_next(form.next.data) or url_for("core.home"))


@bp.route("/logout", methods=["POST"])
@login_only
def logout():
    """End this and every other session of the account."""

    def log_out_here():
        log_out(db.session, current_user)  # flushed while the user is still the actor
        logout_user()
        session.clear()
        flash(_("You have logged out."), "info")

    return perform(log_out_here, success=None, next_url=url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_only
def change_password():
    """Change one's own password; other sessions end."""
    form = ChangePasswordForm()

    def change():
        change_own_password(db.session, current_user, form.current.data, form.password.data)
        login_user(current_user._get_current_object())  # new token, this session

    def page():
        return render_template("auth/change_password.html", form=form)

    if request.method == "GET":
        return page()
    return perform(change, form=form, render=page, success=_("Your password has been changed."),
                   next_url=url_for("core.home"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    """Set the first password from an invitation link."""
    if current_user.is_authenticated:
        logout_user()
        session.clear()
    try:
        user = user_from_invitation(db.session, token)
    except AuthError as error:
        return render_template("auth/invitation_invalid.html", message=str(error)), 400
    form = SetPasswordForm()

    def page():
        return render_template("auth/invitation.html", form=form, user=user)

    if request.method == "GET":
        return page()
    return perform(
        lambda: set_password(db.session, user, form.password.data, reason="invitation accepted"),
        form=form, render=page, success=_("Your password is set. You can log in now."),
        next_url=url_for("auth.login"))
