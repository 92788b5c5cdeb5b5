"""Trial, site and subject status move only through their declared state machines."""

import json

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.trials.models import Site, Subject, Trial

EN = {"Accept-Language": "en"}


def entries(db, entity_type, record_id):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(record_id))
        .order_by(AuditEntry.id)).all()


def test_a_trial_is_activated_held_resumed_and_closed_each_with_its_reason(
        client, login_as, make, db):
    login_as("admin")
    trial = make.trial(status="setup")
    db.session.commit()
    url = f"/trials/{trial.id}/status"
    for event, reason, status in (("activate", "Set-up approved", "active"),
                                  ("hold", "Sponsor pause", "on_hold"),
                                  ("resume", "Pause over", "active"),
                                  ("close", "Last visit done", "closed")):
        response = client.post(url, data={"event": event, "reason": reason})
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/trials/{trial.id}")
        db.session.refresh(trial)
        assert trial.status == status
    moves = [(e.action, json.loads(e.changes), e.reason) for e in entries(db, "trial", trial.id)
             if e.action != "create"]
    assert moves == [
        ("trial_activated", {"status": ["setup", "active"]}, "Set-up approved"),
        ("trial_put_on_hold", {"status": ["active", "on_hold"]}, "Sponsor pause"),
        ("trial_resumed", {"status": ["on_hold", "active"]}, "Pause over"),
        ("trial_closed", {"status": ["active", "closed"]}, "Last visit done"),
    ]
    page = client.get(f"/trials/{trial.id}", headers=EN).get_data(as_text=True)
    assert "Change the status" not in page  # nothing can happen to a closed trial


def test_a_status_move_without_a_reason_is_refused_beside_the_reason(client, login_as, make, db):
    login_as("admin")
    trial = make.trial(status="active")
    db.session.commit()
    response = client.post(f"/trials/{trial.id}/status", data={"event": "hold", "reason": " "},
                           headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div id="reason-error" class="invalid-feedback d-block">Give a reason.</div>' in body
    db.session.refresh(trial)
    assert trial.status == "active"
    assert [e.action for e in entries(db, "trial", trial.id)] == ["create"]


def test_a_move_the_machine_does_not_declare_is_refused_in_plain_words(
        client, login_as, make, db):
    login_as("admin")
    trial = make.trial(protocol_code="MOVE-1", status="closed")
    other = make.trial(protocol_code="MOVE-2", status="active")
    db.session.commit()
    closed = client.post(f"/trials/{trial.id}/status", headers=EN,
                         data={"event": "activate", "reason": "again"})
    assert "MOVE-1 is Closed; nothing more can happen to it." in closed.get_data(as_text=True)
    unknown = client.post(f"/trials/{other.id}/status", headers=EN,
                          data={"event": "explode", "reason": "why not"})
    assert "MOVE-2 is Active; this cannot be done to it." in unknown.get_data(as_text=True)
    again = client.post(f"/trials/{other.id}/status", headers=EN,
                        data={"event": "resume", "reason": "twice"})
    assert "MOVE-2 is already Active." in again.get_data(as_text=True)
    assert [db.session.get(Trial, t.id).status for t in (trial, other)] == ["closed", "active"]


def test_the_edit_form_no_longer_changes_the_status(client, login_as, make, db):
    login_as("admin")
    trial = make.trial(status="active")
    db.session.commit()
    page = client.get(f"/trials/{trial.id}/edit").get_data(as_text=True)
    assert 'name="status"' not in page
    form = {"protocol_code": trial.protocol_code, "title": "Renamed", "sponsor": "S",
            "phase": "III", "kind": "drug", "status": "closed", "countries": ["ES"],
            "contact_name": "C", "contact_address": "A", "contact_phone": "+34 1234567",
            "reason": "Rename"}
    assert client.post(f"/trials/{trial.id}/edit", data=form).status_code == 302
    db.session.refresh(trial)
    assert (trial.title, trial.status) == ("Renamed", "active")


def test_a_closed_site_takes_no_new_subjects_until_reopened(client, login_as, make, db):
    site = make.site()
    db.session.commit()
    login_as("admin")
    response = client.post(f"/trials/sites/{site.id}/status",
                           data={"event": "close", "reason": "Hospital left the trial"})
    assert response.status_code == 302
    assert db.session.get(Site, site.id).status == "closed"
    login_as("site", sites=[site])
    refused = client.post("/trials/subjects/new", headers=EN,
                          data={"site_id": site.id, "code": "S-777", "status": "screening"})
    assert "This site is closed; subjects cannot be added to it." in refused.get_data(
        as_text=True)
    assert db.session.scalar(select(Subject).where(Subject.code == "S-777")) is None
    login_as("admin")
    client.post(f"/trials/sites/{site.id}/status", data={"event": "reopen", "reason": "Back"})
    assert [e.action for e in entries(db, "site", site.id)][-2:] == ["site_closed",
                                                                     "site_reopened"]
    assert db.session.get(Site, site.id).status == "active"


def test_site_staff_enrol_and_withdraw_a_subject(client, login_as, make, db):
    site = make.site()
    subject = make.subject(site=site, status="screening")
    db.session.commit()
    login_as("site", sites=[site])
    page = client.get(f"/trials/subjects/{subject.id}", headers=EN).get_data(as_text=True)
    assert 'value="enrol"' in page and 'value="complete"' not in page
    url = f"/trials/subjects/{subject.id}/status"
    assert client.post(url, data={"event": "enrol", "reason": "Consent signed"}
                       ).status_code == 302
    assert client.post(url, data={"event": "withdraw", "reason": "Consent withdrawn"}
                       ).status_code == 302
    db.session.refresh(subject)
    assert subject.status == "withdrawn"
    assert [e.action for e in entries(db, "subject", subject.id)] == [
        "create", "subject_enrolled", "subject_withdrawn"]


def test_a_subject_is_registered_as_screening_or_enrolled_only(client, login_as, make, db):
    site = make.site()
    login_as("site", sites=[site])
    response = client.post("/trials/subjects/new", headers=EN,
                           data={"site_id": site.id, "code": "S-555", "status": "completed"})
    assert response.status_code == 200 and b"Not a valid choice." in response.data
    assert db.session.scalar(select(Subject).where(Subject.code == "S-555")) is None
    subject = make.subject(site=site, status="enrolled")
    db.session.commit()
    edit = client.get(f"/trials/subjects/{subject.id}/edit").get_data(as_text=True)
    assert 'name="status"' not in edit


def test_other_sites_subjects_cannot_be_moved(client, login_as, make, db):
    mine, theirs = make.site(), make.site()
    subject = make.subject(site=theirs, status="screening")
    db.session.commit()
    login_as("site", sites=[mine])
    response = client.post(f"/trials/subjects/{subject.id}/status",
                           data={"event": "enrol", "reason": "x"})
    assert response.status_code == 404
    assert db.session.get(Subject, subject.id).status == "screening"


def test_the_machines_are_printed(app):
    result = app.test_cli_runner().invoke(args=["states", "show", "trial"])
    assert result.exit_code == 0
    assert "  active --hold--> on_hold  [permission trials.edit, reason]" in result.output
