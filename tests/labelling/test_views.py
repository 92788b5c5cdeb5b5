"""Labelling screens: the journey from an imported lot to printed labels; refusals in place."""

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.files.services import read_bytes
from app.jobs.models import Job
from app.labelling.models import CountryRelease, LabelRun, LabelTemplate
from tests.labelling.factories import OUTER_ES, PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sign(**values):
    return {"password": PASSWORD, "confirm": "y", **values}


def test_import_certify_release_template_and_run_through_the_pages(
        app, client, db, make, lab, login, inline_jobs):
    trial = lab.make_trial()
    qp, logistics = make.user(roles=("qp",), language="en"), make.user(roles=("logistics",), language="en")
    record, lot, _kits = lab.make_imported_lot(trial, kits=2, cleared=False)
    db.session.commit()
    login(qp)
    page = client.get(f"/labelling/lots/{lot.id}").get_data(as_text=True)
    assert "Not certified" in page and "Sign electronically" in page
    response = client.post(f"/labelling/lots/{lot.id}/certify",
                           data=_sign(meaning="certified"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "customs clearance is not recorded: record the DUA first." in page
    login(logistics)
    response = client.post(f"/labelling/imports/{record.id}/clearance", data={
        "customs_document": "26ES0028", "customs_cleared_on": "not a date"})
    assert "Enter a date (day/month/year)." in response.get_data(as_text=True)
    client.post(f"/labelling/imports/{record.id}/clearance", data={
        "customs_document": "26ES0028", "customs_cleared_on": clock.today().isoformat()})
    login(qp)
    response = client.post(f"/labelling/lots/{lot.id}/certify",
                           data=_sign(meaning="certified"), follow_redirects=True)
    assert f"Lot {lot.number} is certified." in response.get_data(as_text=True)
    response = client.post(f"/labelling/lots/{lot.id}/release", data={
        "country": "FR", "authorised_by": "Sponsor RA", "reference": "R-1",
        "released_on": clock.today().isoformat()})
    assert response.status_code == 200  # FR is not one of the trial's countries: refused
    assert db.session.scalar(select(CountryRelease.id)) is None
    response = client.post(f"/labelling/lots/{lot.id}/release", data={
        "country": "ES", "authorised_by": "Sponsor RA", "reference": "R-1",
        "released_on": clock.today().isoformat()}, follow_redirects=True)
    assert f"Lot {lot.number} released for ES." in response.get_data(as_text=True)
    login(logistics)
    values = {k: v for k, v in OUTER_ES.items() if k != "particular_l"}
    response = client.post(f"/labelling/trials/{trial.id}/templates/new",
                           data={**values, "product_id": 0}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<span id="particulars-count"><span class="badge state-danger">11/12</span>' in page
    template = db.session.scalar(select(LabelTemplate))
    login(qp)
    response = client.post(f"/labelling/templates/{template.id}/approve",
                           data=_sign(meaning="approved"))
    assert ("The template lacks particulars l of Annex VI; it cannot be approved."
            in response.get_data(as_text=True))
    login(logistics)
    client.post(f"/labelling/templates/{template.id}/edit",
                data={**OUTER_ES, "product_id": 0})
    login(qp)
    response = client.post(f"/labelling/templates/{template.id}/approve",
                           data=_sign(meaning="approved"), follow_redirects=True)
    assert "Template approved." in response.get_data(as_text=True)
    login(logistics)
    assert client.get(f"/labelling/trials/{trial.id}/runs/new").status_code == 200
    response = client.post(f"/labelling/trials/{trial.id}/runs/new", data={
        "template_id": template.id, "scope": "lot", "lot_id": lot.id, "layout": "roll",
        "campaign_id": 0}, follow_redirects=True)
    page = response.get_data(as_text=True)
    run = db.session.scalar(select(LabelRun))
    assert run.status == "printed" and run.printed == 2
    assert "Download the labels (PDF)" in page
    # The list of labels printed: at once when small, a background job when large.
    small = client.get(f"/labelling/runs/{run.id}/labels.xlsx")
    assert (small.status_code, small.mimetype) == (200, XLSX)
    app.config["EXPORT_JOB_THRESHOLD_ROWS"], saved = 1, app.config["EXPORT_JOB_THRESHOLD_ROWS"]
    try:
        assert "Prepare file" in client.get(
            f"/labelling/runs/{run.id}/labels.xlsx").get_data(as_text=True)
        client.post(f"/labelling/runs/{run.id}/labels.xlsx")
    finally:
        app.config["EXPORT_JOB_THRESHOLD_ROWS"] = saved
    job = db.session.scalar(select(Job).where(Job.kind == "label_run_list"))
    assert (job.status, job.rows_total, job.file_name) == ("ready", 2, "labels-printed.xlsx")
    assert client.get(f"/jobs/{job.id}/download").data == read_bytes(job.file)
    response = client.post(f"/labelling/runs/{run.id}/close", data={
        "applied": 1, "spoiled": 0, "destroyed": 0, "reason": ""})
    assert ("2 labels were printed and 1 are accounted for" in response.get_data(as_text=True))
    client.post(f"/labelling/runs/{run.id}/close", data={
        "applied": 2, "spoiled": 0, "destroyed": 0, "reason": ""})
    db.session.refresh(run)
    assert run.status == "closed"
    kit_page = client.get(f"/stock/kits/{_kits[0].id}").get_data(as_text=True)
    assert f"{template.name} v1" in kit_page and "carried now" in kit_page


def test_every_labelling_page_answers_for_each_role(client, db, make, lab, login_as):
    trial = lab.make_trial()
    record, lot, kits = lab.make_imported_lot(trial, kits=1)
    template = lab.make_template(trial)
    db.session.commit()
    pages = ["/labelling/", "/labelling/templates", "/labelling/runs",
             f"/labelling/imports/{record.id}", f"/labelling/lots/{lot.id}",
             f"/labelling/templates/{template.id}",
             f"/labelling/templates/{template.id}/preview.pdf",
             f"/labelling/kits/{kits[0].id}/labels", "/labelling/imports/new",
             f"/labelling/trials/{trial.id}/templates/new",
             f"/labelling/trials/{trial.id}/runs/new", "/labelling/?waiting=certify"]
    login_as("qp", language="en")
    for url in pages:
        assert client.get(url).status_code in (200, 403), url
    login_as("logistics", language="en")
    for url in pages:
        assert client.get(url).status_code == 200, url
    login_as("site", language="en")
    assert client.get("/labelling/").status_code == 403
    assert client.get("/labelling/lots/999999").status_code == 403


def test_a_relabel_that_lowers_the_expiry_is_refused_beside_its_field(
        client, db, make, lab, login):
    trial = lab.make_trial()
    qp = make.user(roles=("qp",), language="en")
    _record, lot, _kits = lab.make_imported_lot(trial, kits=1)
    lab.certify_and_release(lot, qp)
    db.session.commit()
    login(qp)
    earlier = (lot.expires_on - timedelta(days=1)).isoformat()
    response = client.post(f"/labelling/lots/{lot.id}/extend", data={
        "new_expiry": earlier, "justification": "x", "stability_reference": "S-1"})
    page = response.get_data(as_text=True)
    assert "is not later than the current one" in page and 'value="S-1"' in page
