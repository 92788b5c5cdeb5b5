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
    claim_attempt,
    log_out,
    set_password,
    user_from_invitation,
)
from app.core.actions import commit_first, perform
from app.core.models import utcnow
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
        attempt = commit_first(lambda s: claim_attempt(s, email=form.email.data))
        user = authenticate(db.session, form.email.data, form.password.data, attempt)
        session.clear()
        login_user(user)
        session["lang"] = user.language
        session["login_at"] = utcnow().timestamp()  # the absolute session lifetime
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

    return perform(_log_out_here, success=None, next_url=url_for("auth.login"))


def _log_out_here():
    log_out(db.session, current_user)  # flushed while the user is still the actor
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")


@bp.route("/password", methods=["GET", "POST"])
@login_only
def change_password():
    """Change one's own password; other sessions end."""
    form = ChangePasswordForm()

    def change():
        attempt = commit_first(lambda s: claim_attempt(s, user_id=current_user.id))
        change_own_password(db.session, current_user, form.current.data, form.password.data,
                            attempt)
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
    """Set the first password from an invitation link.

    Someone logged in is asked first: a GET never ends a session (an <img> could send one);
    the page's button POSTs the log-out and comes back here.
    """
    if current_user.is_authenticated:
        if request.method == "POST":
            return perform(_log_out_here, success=None, next_url=request.path)
        return render_template("auth/invitation_logged_in.html", user=current_user)
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
