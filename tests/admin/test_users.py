"""Account administration: invite, duplicate e-mail, change roles with reason, deactivate."""

import json

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.notify.models import OutboxMessage


def new_user_form(**overrides):
    data = {"email": "new.person@test.example", "full_name": "New Person", "language": "es",
            "roles": ["logistics"]}
    data.update(overrides)
    return data


def test_admin_invites_a_user_and_the_outbox_has_the_link(client, login_as, db):
    login_as("admin")
    response = client.post("/admin/users/new", data=new_user_form())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@test.example"))
    assert user.roles == {"logistics"} and user.password_hash is None
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == user.email))
    assert "/auth/invitation/" in mail.body
    assert "contraseña" in mail.body  # in the invited person's language


def test_duplicate_email_is_refused_case_insensitively(client, login_as, make, db):
    login_as("admin")
    make.user(email="taken@test.example")
    response = client.post("/admin/users/new", headers={"Accept-Language": "en"},
                           data=new_user_form(email="TAKEN@test.example", full_name="Kept Name"))
    body = response.get_data(as_text=True)
    assert "An account with this e-mail already exists." in body and 'value="Kept Name"' in body


def test_role_change_is_audited_with_old_and_new_roles(client, login_as, make, db):
    login_as("admin")
    user = make.user(roles=["monitor"])
    site = make.site()
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}/edit", data={
        "full_name": user.full_name, "language": "en", "roles": ["site"], "sites": [site.id],
        "active": "y", "reason": "Moved to the hospital team"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.roles == {"site"} and user.site_ids == {site.id}
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id),
        AuditEntry.action == "update")).all()[-1]
    changes = json.loads(entry.changes)
    assert changes["role_links"] == [["monitor"], ["site"]]
    assert entry.reason == "Moved to the hospital team"


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, client, login_as, make, db):
    from tests.factories import PASSWORD

    login_as("admin")
    user = make.user(roles=["logistics"])
    db.session.commit()
    victim = app.test_client()
    victim.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert victim.get("/trials/").status_code == 200
    client.post(f"/admin/users/{user.id}/edit", data={
        "full_name": user.full_name, "language": "es", "roles": ["logistics"],
        "reason": "Left the company"})
    assert victim.get("/trials/").status_code == 302
    response = victim.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


def test_hostile_names_are_escaped_on_the_user_list(client, login_as, make):
    login_as("admin")
    make.user(full_name="<img src=x onerror=alert(1)> ‮evil")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_too_long_name_is_refused(client, login_as, db):
    login_as("admin")
    response = client.post("/admin/users/new", data=new_user_form(full_name="x" * 10_000))
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "new.person@test.example")) is None


def test_the_outbox_never_shows_password_links(client, login_as, db, app):
    login_as("admin")
    client.post("/admin/users/new", data=new_user_form())
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "/auth/invitation/••••••" in page
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "new.person@test.example"))
    token_path = mail.body.split("http://localhost")[1].split()[0]
    assert token_path not in page
    result = app.test_cli_runner().invoke(args=["outbox", "show", "new.person@test.example"])
    assert token_path in result.output


def test_auth_events_name_patients_by_number(client, make, db):
    from tests.factories import PASSWORD

    patient = make.user(roles=["patient"], email="secret.patient@test.example")
    db.session.commit()
    client.post("/auth/login", data={"email": patient.email, "password": "wrong one"})
    client.post("/auth/login", data={"email": patient.email, "password": PASSWORD})
    labels = db.session.scalars(select(AuditEntry.entity_label).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(patient.id))).all()
    assert labels and all("secret.patient" not in (label or "") for label in labels)


def test_an_inactive_account_gets_no_new_invitation(client, login_as, make, db):
    login_as("admin")
    user = make.user(active=False)
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}/invite", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "The account is inactive; activate it first." in page.get_data(as_text=True)
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == user.email)).all() == []
