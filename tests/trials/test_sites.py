"""Sites: unique numbers per trial, site staff see only their own."""


def test_site_user_sees_only_their_sites(client, login_as, make):
    mine = make.site(hospital="Mine Hospital")
    theirs = make.site(hospital="Their Hospital")
    subject = make.subject(site=theirs)
    login_as("site", sites=[mine])
    page = client.get("/trials/sites").get_data(as_text=True)
    assert "Mine Hospital" in page and "Their Hospital" not in page
    assert client.get(f"/trials/sites/{theirs.id}").status_code == 404
    assert client.get(f"/trials/subjects/{subject.id}").status_code == 404


def test_duplicate_site_number_is_refused(client, login_as, make):
    trial = make.trial()
    make.site(trial=trial, site_number="001")
    login_as("admin")
    response = client.post("/trials/sites/new", headers={"Accept-Language": "en"}, data={
        "trial_id": trial.id, "site_number": "001", "hospital": "H", "address": "A",
        "country": "ES", "principal_investigator": "PI", "status": "active"})
    assert b"This trial already has a site with this number." in response.data


def test_a_site_or_visit_made_with_the_trial_id_alone_is_labelled_with_the_protocol(db, make):
    """The audit trail says "ONC-7-003" and "ONC-7 V2", not "-003" and " V2"."""
    from sqlalchemy import select

    from app.audit.models import AuditEntry
    from app.trials.models import Site, TrialVisit

    trial_id = make.trial(protocol_code="ONC-7").id
    db.session.commit()
    db.session.expunge_all()  # nothing of the trial in the session: only its id is known
    db.session.add(Site(trial_id=trial_id, site_number="003", hospital="Hospital 3",
                        address="Calle 3, Madrid", country="ES",
                        principal_investigator="Dr. Test"))
    db.session.add(TrialVisit(trial_id=trial_id, number=2, name="Visit 2", day_offset=28,
                              window_before=2, window_after=2))
    db.session.commit()  # the entries are written with the transaction
    labels = set(db.session.scalars(select(AuditEntry.entity_label).where(
        AuditEntry.entity_type.in_(("site", "trial_visit")))))
    assert {"ONC-7-003", "ONC-7 V2"} <= labels, labels
