"""Subjects: unique codes, site scoping, identity guarded and audited."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.trials.models import Subject


def test_site_user_registers_a_subject_only_at_their_site(client, login_as, make, db):
    site = make.site()
    other = make.site(trial=site.trial)
    login_as("site", sites=[site])
    data = {"site_id": site.id, "code": "S-900", "status": "screening"}
    assert client.post("/trials/subjects/new", data=data).status_code == 302
    response = client.post("/trials/subjects/new", data={**data, "site_id": other.id,
                                                          "code": "S-901"})
    assert response.status_code == 200  # not a choice for this user
    assert db.session.scalar(select(Subject).where(Subject.code == "S-901")) is None


def test_duplicate_subject_code_in_a_trial_is_refused(client, login_as, make, db):
    site = make.site()
    make.subject(site=site, code="S-100")
    login_as("site", sites=[site])
    response = client.post("/trials/subjects/new", headers={"Accept-Language": "en"},
                           data={"site_id": site.id, "code": "s-100", "status": "screening"})
    assert b"This subject code is already used in this trial." in response.data


def test_future_enrolment_date_is_refused(client, login_as, make):
    site = make.site()
    login_as("site", sites=[site])
    response = client.post("/trials/subjects/new", headers={"Accept-Language": "en"},
                           data={"site_id": site.id, "code": "S-1", "status": "enrolled",
                                 "enrolment_date": "2999-01-01"})
    assert b"The enrolment date cannot be in the future." in response.data


def test_monitor_sees_codes_but_never_identity(client, login_as, make):
    subject = make.subject(identity={"full_name": "Hidden Name"})
    login_as("monitor")
    page = client.get(f"/trials/subjects/{subject.id}").get_data(as_text=True)
    assert subject.code in page and "Hidden Name" not in page
    assert client.get(f"/trials/subjects/{subject.id}/identity").status_code == 403


def test_identity_view_is_audited_and_invalid_dni_refused(client, login_as, make, db):
    site = make.site()
    subject = make.subject(site=site, identity={"full_name": "Ana Test"})
    login_as("site", sites=[site])
    page = client.get(f"/trials/subjects/{subject.id}/identity").get_data(as_text=True)
    assert "Ana Test" in page
    views = db.session.scalars(select(AuditEntry.user_name).where(
        AuditEntry.action == "identity_viewed", AuditEntry.entity_id == str(subject.id))).all()
    assert len(views) == 1
    response = client.post(f"/trials/subjects/{subject.id}/identity",
                           headers={"Accept-Language": "en"},
                           data={"full_name": "Ana Test", "national_id": "12345678A",
                                 "reason": "fix"})
    assert b"This is not a valid DNI or NIE (check the letter)." in response.data
    response = client.post(f"/trials/subjects/{subject.id}/identity",
                           data={"full_name": "Ana Test", "national_id": "12345678z",
                                 "reason": "fix"})
    assert response.status_code == 302
    db.session.refresh(subject)
    assert subject.identity.national_id == "12345678Z"


def test_finance_may_read_identity_but_not_change_it(client, login_as, make):
    subject = make.subject(identity={"full_name": "Read Only"})
    login_as("finance")
    assert b"Read Only" in client.get(f"/trials/subjects/{subject.id}/identity").data
    response = client.post(f"/trials/subjects/{subject.id}/identity",
                           data={"full_name": "Changed", "reason": "x"})
    assert response.status_code == 403
