"""Log-in, lock-out, log-out invalidation, idle timeout, passwords, invitations, CSRF."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.services import invitation_token, password_problems
from app.core.models import utcnow
from tests.factories import PASSWORD


def post_login(client, email, password, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra},
                       headers={"Accept-Language": "en"})


def test_login_with_right_password_reaches_home(client, make, db):
    user = make.user(roles=["logistics"])
    db.session.commit()
    response = post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(client, make, db):
    user = make.user()
    db.session.commit()
    wrong = post_login(client, user.email, "not the password").get_data(as_text=True)
    unknown = post_login(client, "nobody@test.example", "whatever").get_data(as_text=True)
    assert "Wrong e-mail or password." in wrong and "Wrong e-mail or password." in unknown
    assert f'value="{user.email}"' in wrong  # the form keeps what was typed


def test_repeated_failures_lock_the_account_with_an_audit_entry(app, client, make, db):
    user = make.user()
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, user.email, "bad password!")
    body = post_login(client, user.email, PASSWORD).get_data(as_text=True)
    # the same answer as a wrong password: a locked account cannot be told from the others
    assert "Wrong e-mail or password." in body and "Too many failed attempts" not in body
    db.session.refresh(user)
    assert user.locked_until and user.locked_until > utcnow()
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))).all()
    assert actions.count("login_failed") == app.config["LOGIN_MAX_FAILURES"]
    assert actions.count("account_locked") == 1
    assert actions.count("login_refused_locked") == 1


def test_lock_expires(app, client, make, db):
    user = make.user(locked_until=utcnow() - timedelta(minutes=1))
    db.session.commit()
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_session_cookie_captured_before_logout_fails_after_it(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    stolen = client.get_cookie("session").value
    assert client.get("/trials/").status_code == 200
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    response = thief.get("/trials/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    other = app.test_client()
    post_login(other, user.email, PASSWORD)
    post_login(client, user.email, PASSWORD)
    new = "a brand new long passphrase 9"
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert client.get("/trials/").status_code == 200  # this session carries on
    assert other.get("/trials/").status_code == 302  # the other one is over


def test_idle_session_expires(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    original = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=-1)
    try:
        assert client.get("/trials/").status_code == 302
    finally:
        app.permanent_session_lifetime = original


@pytest.mark.parametrize("password", ["short", "password1234", "qwertyuiop123", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(app, password):
    with app.test_request_context():
        assert password_problems(password)


def test_a_long_passphrase_is_accepted(app):
    with app.test_request_context():
        assert password_problems("tortilla de patatas con cebolla 7") == []


def test_invitation_sets_the_password_once(app, client, make, db):
    user = make.user(password=None)
    db.session.commit()
    with app.test_request_context():
        token = invitation_token(user)
    new = "una frase larga y secreta 2026"
    assert client.get(f"/auth/invitation/{token}").status_code == 200
    response = client.post(f"/auth/invitation/{token}", data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert post_login(client, user.email, new).status_code == 302
    client.post("/auth/logout")
    again = client.get(f"/auth/invitation/{token}", headers={"Accept-Language": "en"})
    assert again.status_code == 400 and b"already been used" in again.data


def test_expired_invitation_is_refused(app, client, make, db, monkeypatch):
    user = make.user(password=None)
    db.session.commit()
    with app.test_request_context():
        token = invitation_token(user)
    monkeypatch.setitem(app.config, "INVITATION_DAYS", -1)
    response = client.get(f"/auth/invitation/{token}", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and b"expired" in response.data


def test_tampered_invitation_is_refused(client):
    response = client.get("/auth/invitation/not-a-token", headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert "no es válido" in response.get_data(as_text=True)


def test_login_next_must_be_local(client, make, db):
    user = make.user()
    db.session.commit()
    response = post_login(client, user.email, PASSWORD, next="https://evil.example/")
    assert response.headers["Location"].endswith("/home")


def test_forms_without_csrf_token_are_refused(app, make, db):
    user = make.user()
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        assert client.get("/home").status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_session_cookie_flags(app, client, make, db):
    user = make.user()
    db.session.commit()
    response = post_login(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    import config

    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True


def test_wrong_current_password_is_shown_beside_its_field(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    new = "a brand new long passphrase 9"
    response = client.post("/auth/password", headers={"Accept-Language": "en"},
                           data={"current": "not it", "password": new, "confirm": new})
    assert response.status_code == 200
    assert ('<div id="current-error" class="invalid-feedback d-block">'
            "The current password is not correct.</div>") in response.get_data(as_text=True)
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 302  # unchanged


def test_logout_is_recorded_for_the_user_and_says_so(client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    response = client.post("/auth/logout", headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have logged out." in page
    who = db.session.scalars(select(AuditEntry.user_name).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id),
        AuditEntry.action.in_(("logout", "update"))).order_by(AuditEntry.id)).all()
    assert who[-2:] == [user.audit_name, user.audit_name]
