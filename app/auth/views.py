"""Log in, log out, change password, accept an invitation."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.audit.services import record_event
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from app.auth.services import (
    AuthError,
    authenticate,
    end_sessions,
    password_matches,
    set_password,
    user_from_invitation,
)
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
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.email.data, form.password.data)
        except AuthError as error:
            db.session.commit()  # keep the failure count and its audit entry
            flash(str(error), "danger")
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            session["lang"] = user.language
            return redirect(safe_next(form.next.data) or url_for("core.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_only
def logout():
    """End this and every other session of the account."""
    end_sessions(current_user)
    record_event(db.session, "logout", "user", current_user.id, label=current_user.audit_label())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_only
def change_password():
    """Change one's own password; other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.current.data):
            form.current.errors.append(_("The current password is not correct."))
        else:
            try:
                set_password(db.session, current_user, form.password.data,
                             reason="changed by the user")
            except AuthError as error:
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                login_user(current_user._get_current_object())  # new token, this session
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form)


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
    if form.validate_on_submit():
        try:
            set_password(db.session, user, form.password.data, reason="invitation accepted")
        except AuthError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/invitation.html", form=form, user=user)
