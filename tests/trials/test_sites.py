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
