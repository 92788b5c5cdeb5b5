"""Storage excursion screens on the test client: report, preview, list, QA decision, scope."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.models import utcnow
from app.files.models import StoredFile
from app.stock.models import StorageExcursion
from tests.factories import PASSWORD
from tests.shipments.factories import sample_logger

pytestmark = pytest.mark.usefixtures("english")


def hidden(page, name):
    match = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', page)
    return match.group(1) if match else ""


def local(moment):
    return moment.astimezone(clock.zone()).strftime("%Y-%m-%dT%H:%M")


def _form(start, end, **values):
    return {"started_at": local(start), "ended_at": local(end), "max_c": "12.5",
            "comment": "Power cut", **values}


def test_pharmacist_reports_by_hand_and_qa_decides_on_screen(client, login, db, fridge):
    site, location, kits, pharmacist, qp = fridge
    db.session.commit()
    login(pharmacist)
    url = f"/stock/sites/{site.id}/storage-excursions/new"
    start = (utcnow() - timedelta(hours=30)).replace(second=0, microsecond=0)
    response = client.post(url, data=_form(start, start + timedelta(minutes=40)))
    assert response.status_code == 302
    excursion = db.session.scalar(select(StorageExcursion))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (f"Storage excursion {excursion.reference} recorded: 40.0 minutes out of range, "
            "3 kits quarantined. QA has been told.") in page
    assert "Power cut" in page and 'id="decision"' not in page  # the pharmacist does not decide
    site_page = client.get(f"/stock/sites/{site.id}").get_data(as_text=True)
    assert excursion.reference in site_page and "Awaiting QA" in site_page
    login(qp)
    home = client.get("/home").get_data(as_text=True)
    assert "Storage excursions awaiting your QA decision" in home
    listing = client.get("/stock/storage-excursions?waiting=qa").get_data(as_text=True)
    assert excursion.reference in listing and "1 result ·" in listing
    assert "No storage excursions match." in client.get(
        "/stock/storage-excursions?waiting=decided").get_data(as_text=True)
    page = client.get(f"/stock/storage-excursions/{excursion.id}").get_data(as_text=True)
    assert 'id="budget-table"' in page and "(67 %)" in page  # 40 of 60 minutes
    chart = client.get(f"/stock/storage-excursions/{excursion.id}/chart.json").get_json()
    assert (chart["low"], chart["high"], len(chart["excursions"])) == (2.0, 8.0, 1)
    ids = [line.id for line in excursion.lines]
    decide = f"/stock/storage-excursions/{excursion.id}/decide"
    fields = {"meaning": "qa", "kits": ids, "decision": "rejected", "reason": "Precaution",
              "password": PASSWORD, "confirm": "y"}
    page = client.post(decide, data=fields).get_data(as_text=True)
    assert "Say why you depart from the proposal." in page and "Precaution" in page
    page = client.post(decide, data={**fields, "decision": "released",
                                     "password": "wrong"}).get_data(as_text=True)
    assert "password" in page.lower()
    assert {k.state for k in kits} == {"quarantined"}
    response = client.post(decide, data={**fields, "decision": "released",
                                         "reason": "Within budget"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "3 kits released: they are available again." in page
    db.session.expire_all()
    assert {k.state for k in kits} == {"available"}
    kit_page = client.get(f"/stock/kits/{kits[0].id}").get_data(as_text=True)
    assert 'id="exposure-sources"' in kit_page and f">{excursion.reference}</a>: 40.0 minutes" \
        in kit_page


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(client, login, db, fridge):
    site, location, kits, pharmacist, qp = fridge
    db.session.commit()
    login(pharmacist)
    url = f"/stock/sites/{site.id}/storage-excursions/new"
    start = (utcnow() - timedelta(hours=30)).replace(second=0, microsecond=0)
    for data, message in (
            (_form(start, start - timedelta(minutes=5)), "The end must be after the start."),
            (_form(start + timedelta(days=3), start + timedelta(days=3, hours=1)),
             "The excursion cannot end in the future."),
            (_form(start - timedelta(days=30), start), "has been recorded since"),
            (_form(start, start + timedelta(hours=1), comment=""), "Say what happened.")):
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page
        assert 'class="invalid-feedback' in page and data["comment"] in page
    assert db.session.scalar(select(StorageExcursion.id)) is None


def test_a_location_of_another_site_is_not_found(client, login, db, fridge, make):
    site, location, kits, pharmacist, qp = fridge
    other = make.site()
    db.session.commit()
    login(pharmacist)
    assert client.get(f"/stock/sites/{other.id}/storage-excursions/new").status_code == 404
    assert client.post(f"/stock/sites/{other.id}/storage-excursions/upload").status_code == 404


def test_the_fridge_logger_file_is_previewed_then_kept_as_uploaded(client, login, db, fridge):
    site, location, kits, pharmacist, qp = fridge
    db.session.commit()
    login(pharmacist)
    url = f"/stock/sites/{site.id}/storage-excursions/upload"
    data = sample_logger()
    preview = client.post(url, data={"file": (io.BytesIO(data), "fridge.csv"),
                                     "timezone": "UTC"}, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert "Preview: nothing is stored yet" in page
    assert "2.0 to 8.0 °C: 2 excursions, 65.0 minutes out of range" in page
    assert "Kits in the storage during the excursion: 3" in page
    assert db.session.scalar(select(StorageExcursion.id)) is None
    response = client.post(url, data={"timezone": "UTC", "action": "store", "comment": "",
                                      **{n: hidden(page, n) for n in
                                         ("staged", "staged_name", "previewed")}})
    assert response.status_code == 302
    excursion = db.session.scalar(select(StorageExcursion))
    assert (excursion.source, excursion.minutes_out, excursion.periods,
            excursion.reading_count) == ("logger", 65.0, 2, 360)
    stored = db.session.get(StoredFile, excursion.stored_file_id)
    download = client.get(f"/stock/storage-excursions/{excursion.id}/file")
    assert download.data == data and stored.size == len(data)
    chart = client.get(f"/stock/storage-excursions/{excursion.id}/chart.json").get_json()
    assert len(chart["points"]) == 360


def test_a_logger_file_from_the_future_or_before_the_location_is_refused(client, login, db,
                                                                        fridge):
    site, location, kits, pharmacist, qp = fridge
    db.session.commit()
    login(pharmacist)
    url = f"/stock/sites/{site.id}/storage-excursions/upload"
    for start, message in (
            (utcnow() + timedelta(days=1), "The file has readings in the future"),
            (utcnow() - timedelta(days=40), "before " + location.name + " was recorded")):
        data = sample_logger(start=start.replace(minute=0, second=0, microsecond=0))
        page = client.post(url, data={"file": (io.BytesIO(data), "fridge.csv"),
                                      "timezone": "UTC"},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert message in page and "Preview: nothing is stored yet" not in page
    assert db.session.scalar(select(StorageExcursion.id)) is None
