"""Blinding screens: generate, upload and verify a list; randomise a subject; never a 500."""

import io

from sqlalchemy import select

from app.blinding.models import Randomisation, RandomisationList
from tests.factories import PASSWORD


def test_an_unblinded_user_generates_and_another_verifies_a_list(client, db, make, login):
    trial = make.trial(blinded=True)
    maker, checker = make.user(roles=("unblinded",)), make.user(roles=("unblinded",))
    db.session.commit()
    login(maker)
    form = {"trial_id": trial.id, "name": "Prod v1", "purpose": "production",
            "arms": "A:2, B:1", "strata": "sex: M, F", "block_sizes": "3, 6",
            "per_stratum": 30, "seed": "public"}
    page = client.post("/blinding/lists/generate", data={**form, "block_sizes": "4"})
    assert ("Block size 4 does not respect the ratio 2:1: each block size must be a multiple "
            "of 3.") in page.get_data(as_text=True)
    assert 'value="Prod v1"' in page.get_data(as_text=True)
    response = client.post("/blinding/lists/generate", data=form)
    rlist = db.session.scalar(select(RandomisationList))
    assert response.headers["Location"].endswith(f"/blinding/lists/{rlist.id}")
    assert (rlist.size, rlist.seed, rlist.status) == (60, "public", "draft")
    page = client.get(f"/blinding/lists/{rlist.id}").get_data(as_text=True)
    assert 'id="seed">public<' in page and "Verify this list" not in page
    verified = client.post("/blinding/lists/generate", data={**form, "name": "Old v0"})
    assert verified.status_code == 302
    login(checker)
    # The checker's home counts the lists waiting for them; the link lists exactly those.
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/blinding/lists?waiting=verify" data-queue="lists_to_verify"' in home
    assert 'data-count="2"' in home.split('data-queue="lists_to_verify"')[1][:200]
    old = db.session.scalar(select(RandomisationList.id).where(
        RandomisationList.name == "Old v0"))
    client.post(f"/blinding/lists/{old}/verify", data={"password": PASSWORD})
    waiting = client.get("/blinding/lists?waiting=verify").get_data(as_text=True)
    assert "Prod v1" in waiting and "Old v0" not in waiting and "1 result ·" in waiting
    assert "Old v0" in client.get("/blinding/lists").get_data(as_text=True)
    client.post(f"/blinding/lists/{rlist.id}/verify", data={"password": PASSWORD})
    db.session.refresh(rlist)
    assert rlist.status == "verified" and rlist.verified_by_id == checker.id
    # Blinded users see that the list exists, its size and verification; not seed or arms.
    login(make.user(roles=("monitor",)))
    db.session.commit()
    page = client.get(f"/blinding/lists/{rlist.id}").get_data(as_text=True)
    assert "Prod v1" in page and "public" not in page and "Numbers" not in page
    assert client.get(f"/blinding/lists/{rlist.id}/numbers.xlsx").status_code == 403


def test_an_upload_with_bad_rows_lists_every_line_and_saves_nothing(client, db, make, login):
    trial = make.trial(blinded=True)
    login(make.user(roles=("unblinded",)))
    db.session.commit()
    data = b"number,block,arm\nR1,1,A\nR1,1,B\nR2,1,Z\n"
    page = client.post("/blinding/lists/upload", data={
        "trial_id": trial.id, "name": "Upl", "purpose": "testing", "arms": "A:1, B:1",
        "file": (io.BytesIO(data), "list.csv")}, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "Line 3: Randomisation number R1 appears twice (first on line 2)." in text
    assert "Line 4: Treatment Z is not one of the list&#39;s arms." in text
    assert db.session.scalar(select(RandomisationList.id)) is None
    good = b"number,block,arm\nR1,1,A\nR2,1,B\n"
    client.post("/blinding/lists/upload", data={
        "trial_id": trial.id, "name": "Upl", "purpose": "testing", "arms": "A:1, B:1",
        "file": (io.BytesIO(good), "list.csv")}, content_type="multipart/form-data")
    rlist = db.session.scalar(select(RandomisationList))
    assert (rlist.source, rlist.purpose, rlist.size) == ("uploaded", "testing", 2)


def test_a_site_randomises_a_subject_and_sees_the_number_not_the_arm(client, db, make, login,
                                                                     blinding):
    world = blinding.make_world()
    subject = make.subject(world["site"])
    db.session.commit()
    login(world["user"])
    page = client.get(f"/blinding/subjects/{subject.id}/randomise").get_data(as_text=True)
    assert 'name="stratum_0"' in page
    page = client.post(f"/blinding/subjects/{subject.id}/randomise",
                       data={"stratum_0": "F"}).get_data(as_text=True)
    assert "Confirm that the subject meets every eligibility criterion." in page, page[page.find("<main"):][:3000]
    response = client.post(f"/blinding/subjects/{subject.id}/randomise",
                           data={"stratum_0": "F", "eligible": "y"})
    assert response.status_code == 302
    done = db.session.scalar(select(Randomisation).where(Randomisation.subject_id == subject.id))
    assert done.number == "R0041"
    page = client.get(f"/blinding/subjects/{subject.id}").get_data(as_text=True)
    assert 'id="randomisation-number">R0041<' in page
    page = client.post(f"/blinding/subjects/{subject.id}/randomise",
                       data={"stratum_0": "F", "eligible": "y"}).get_data(as_text=True)
    assert f"Subject {subject.code} is already randomised (number R0041)." in page
    other = make.subject(make.site(world["trial"]))
    db.session.commit()
    assert client.get(f"/blinding/subjects/{other.id}/randomise").status_code == 404
