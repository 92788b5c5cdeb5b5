"""Lock-out under concurrency, one answer for unknown, wrong and locked accounts, the
change-password form counted like log-in, the absolute session lifetime, invitation links."""

import threading
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db as _db
from tests import factories
from tests.factories import PASSWORD

GENERIC = "Wrong e-mail or password."


def _count_checks(monkeypatch):
    """Count argon2 verifications, split into checks of real account hashes and the rest."""
    calls = {"real": 0, "dummy": 0}
    real_hashes = set()
    original = PasswordHasher.verify
    lock = threading.Lock()

    def counting(self, hash_, password):
        with lock:
            calls["real" if hash_ in real_hashes else "dummy"] += 1
        return original(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls, real_hashes


def _actions(session, user_id):
    return session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user_id))).all()


def _burst(app, email, passwords):
    barrier = threading.Barrier(len(passwords))
    statuses = []

    def attempt(password):
        client = app.test_client()
        barrier.wait(timeout=20)
        response = client.post("/auth/login", data={"email": email, "password": password},
                               headers={"Accept-Language": "en"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in passwords]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_parallel_wrong_passwords_cannot_exceed_the_limit(race_app, monkeypatch):
    with race_app.app_context():
        user = factories.make_user(_db.session, roles=("logistics",))
        _db.session.commit()
        user_id, email, real_hash = user.id, user.email, user.password_hash
        _db.session.remove()
    calls, real_hashes = _count_checks(monkeypatch)
    real_hashes.add(real_hash)
    limit = race_app.config["LOGIN_MAX_FAILURES"]

    statuses = _burst(race_app, email, ["wrong password %d" % i for i in range(24)])
    assert statuses == [200] * 24
    assert calls["real"] == limit  # 24 guesses, 5 password checks
    with race_app.app_context():
        actions = _actions(_db.session, user_id)
        assert actions.count("login_failed") == limit
        assert actions.count("account_locked") == 1
        assert actions.count("login_refused_locked") == 24 - limit
        assert _db.session.get(User, user_id).locked_until > utcnow()
        _db.session.remove()

    # The right password inside a burst against the locked account is refused too.
    statuses = _burst(race_app, email, [PASSWORD] + ["wrong again %d" % i for i in range(11)])
    assert statuses == [200] * 12
    assert calls["real"] == limit
    with race_app.app_context():
        actions = _actions(_db.session, user_id)
        assert "login" not in actions
        assert actions.count("login_refused_locked") == 24 - limit + 12
        _db.session.remove()


def post_login(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password},
                       headers={"Accept-Language": "en"})


def test_unknown_wrong_locked_and_passwordless_accounts_look_the_same(
        app, client, make, db, monkeypatch):
    wrong = make.user()
    locked = make.user(locked_until=utcnow() + timedelta(minutes=10))
    invited = make.user(password=None)
    db.session.commit()
    calls, real_hashes = _count_checks(monkeypatch)
    real_hashes.update({wrong.password_hash, locked.password_hash})
    answers = {}
    for name, email, password in (("unknown", "nobody@test.example", PASSWORD),
                                  ("wrong", wrong.email, "not the password"),
                                  ("locked", locked.email, PASSWORD),
                                  ("invited", invited.email, "anything at all")):
        before = dict(calls)
        response = post_login(client, email, password)
        body = response.get_data(as_text=True)
        answers[name] = (response.status_code, GENERIC in body, "Too many" in body,
                         calls["real"] + calls["dummy"] - before["real"] - before["dummy"])
    # one argon2 verification each, the same page and message for all four
    assert answers == {name: (200, True, False, 1) for name in answers}
    assert calls == {"real": 1, "dummy": 3}  # only the wrong password met a real hash


def test_change_password_failures_are_counted_locked_and_audited(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    new = "a brand new long passphrase 9"
    limit = app.config["LOGIN_MAX_FAILURES"]
    for n in range(limit):
        response = client.post("/auth/password", headers={"Accept-Language": "en"},
                               data={"current": f"guess {n}", "password": new, "confirm": new})
        assert response.status_code == 200
    response = client.post("/auth/password", headers={"Accept-Language": "en"},
                           data={"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 200
    assert "Too many failed attempts. Try again in a few minutes." in response.get_data(
        as_text=True)
    db.session.expire_all()
    actions = _actions(db.session, user.id)
    assert actions.count("password_change_failed") == limit
    assert actions.count("account_locked") == 1
    assert actions.count("password_change_refused_locked") == 1
    assert "password_set" not in actions
    assert db.session.get(User, user.id).locked_until > utcnow()


def test_absolute_session_lifetime_ends_a_busy_session(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    assert client.get("/trials/").status_code == 200
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    assert hours == 12
    with client.session_transaction() as session:
        session["login_at"] = (utcnow() - timedelta(hours=hours, minutes=1)).timestamp()
    response = client.get("/trials/", headers={"Accept-Language": "en"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/trials/").status_code == 302  # the session is gone for good


def test_a_fresh_session_is_not_ended_by_the_absolute_lifetime(app, client, make, db):
    user = make.user(roles=["admin"])
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    with client.session_transaction() as session:
        session["login_at"] = (utcnow() - timedelta(hours=11, minutes=59)).timestamp()
    assert client.get("/trials/").status_code == 200


def test_following_an_invitation_link_does_not_log_out(app, client, make, db):
    from app.auth.services import invitation_token

    me = make.user(roles=["admin"])
    invited = make.user(password=None)
    db.session.commit()
    post_login(client, me.email, PASSWORD)
    path = f"/auth/invitation/{invitation_token(invited)}"
    for target in (path, "/auth/invitation/anything"):
        page = client.get(target, headers={"Accept-Language": "en"})
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert f"You are logged in as {me.full_name}" in body
        assert client.get("/trials/").status_code == 200  # still logged in
    response = client.post(path, headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    assert client.get("/trials/").status_code == 302  # logged out by the POST
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Choose a password for" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "logout", AuditEntry.entity_id == str(me.id))) == 1
