"""Batch record screens: open one, work its lines, QA release; refusals beside their fields."""

import subprocess

from sqlalchemy import select

from app.blinding.models import BatchRecord
from app.blinding.services import batch_records
from tests.factories import PASSWORD


def _header(trial, matched, output, **changes):
    return {"number": "BR-V-1", "trial_id": trial.id, "sponsor_order": "PO-9001",
            "kind": "placebo", "description": "Placebo tablets matching lot A",
            "matched_lot_id": matched.id, "output_lot_id": output.id,
            "quantity_unit": "tablets", "expected_quantity": "2000", "yield_min_pct": "95",
            "yield_max_pct": "100.5", **changes}


def test_opening_a_record_keeps_what_was_typed_on_a_refusal(client, db, make, login, stock):
    trial = make.trial(blinded=True)
    matched = stock.make_lot(trial=trial)
    output = stock.make_lot(trial=trial, status="quarantine")
    login(make.user(roles=("logistics",)))
    db.session.commit()
    page = client.post("/blinding/batches/new", data=_header(trial, matched, matched))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The lot produced cannot be the lot it matches." in text
    assert 'value="PO-9001"' in text and "Placebo tablets matching lot A" in text
    page = client.post("/blinding/batches/new", data=_header(trial, matched, output,
                                                             yield_max_pct="90"))
    assert ("The highest acceptable yield must lie between the lowest and 200 %."
            in page.get_data(as_text=True))
    assert db.session.scalar(select(BatchRecord)) is None
    response = client.post("/blinding/batches/new", data=_header(trial, matched, output))
    record = db.session.scalar(select(BatchRecord))
    assert response.headers["Location"].endswith(f"/blinding/batches/{record.id}")
    assert (record.status, record.expected_quantity, str(record.yield_max_pct)) == (
        "draft", 2000, "100.50")


def test_lines_are_posted_from_the_page_and_refusals_show_beside_their_field(
        client, db, make, login, blinding):
    operator = make.user(roles=("logistics",))
    record = blinding.make_batch_record(by=operator)
    db.session.commit()
    login(operator)
    url = f"/blinding/batches/{record.id}"
    client.post(f"{url}/start")
    db.session.refresh(record)
    assert record.status == "in_production"
    step = record.steps[0]
    client.post(f"{url}/steps/{step.id}/done", data={f"done{step.id}-password": PASSWORD})
    # The operator is not offered the check, and a forged post is refused beside the password.
    page = client.get(url).get_data(as_text=True)
    assert "Sign as checked" not in page and "Waiting for a second person" in page
    page = client.post(f"{url}/steps/{step.id}/check",
                       data={f"checked{step.id}-password": PASSWORD}).get_data(as_text=True)
    assert f'id="checked{step.id}-password-error"' in page
    assert "The operator cannot check their own step: a second person must." in page
    weight = record.checks[1]
    page = client.post(f"{url}/checks/{weight.id}", data={f"c{weight.id}-result": "530",
                                                          f"c{weight.id}-comment": "high"})
    text = page.get_data(as_text=True)
    assert "The result is outside the limits: describe the deviation." in text
    assert f'id="c{weight.id}-result"' in text and 'value="530"' in text
    material = record.materials[0]
    page = client.post(f"{url}/materials/{material.id}", data={
        f"m{material.id}-used": "400", f"m{material.id}-returned": "0",
        f"m{material.id}-wasted": "0"}).get_data(as_text=True)
    assert ("Issued 500 g but used + returned + wasted make 400 g: the reconciliation does "
            "not balance. Describe the deviation.") in page
    db.session.refresh(material)
    assert material.used is None


def test_qa_releases_by_e_signature_and_a_released_record_refuses_changes(
        client, db, make, login, blinding):
    operator, checker = make.user(roles=("logistics",)), make.user(roles=("logistics",))
    qa = make.user(roles=("qp",))
    record = blinding.make_batch_record(by=operator)
    blinding.produce_batch(record, operator, checker)
    db.session.commit()
    login(qa)
    home = client.get("/home").get_data(as_text=True)
    assert "Batch records to release" in home
    url = f"/blinding/batches/{record.id}"
    page = client.post(f"{url}/release", data={"release-password": "wrong"})
    assert "password" in page.get_data(as_text=True).lower()
    db.session.refresh(record)
    assert record.status == "awaiting_qa"
    client.post(f"{url}/release", data={"release-password": PASSWORD})
    db.session.refresh(record)
    assert record.status == "released" and record.released_by_id == qa.id
    page = client.get(url).get_data(as_text=True)
    assert "Batch record released by QA" in page and "Release this batch record" not in page
    login(operator)
    response = client.post(f"{url}/materials", data={
        "material-material": "Gelatin", "material-supplier_lot": "G-1",
        "material-unit": "g", "material-issued": "5"})
    assert (f"Batch record {record.number} is released: it can no longer change."
            in response.get_data(as_text=True))
    assert len(record.materials) == 1
    pdf = client.get(f"{url}/record.pdf")
    assert pdf.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True,
                          check=True).stdout.decode()
    assert f"Batch record {record.number}" in text and "MCC-2201" in text
    assert "Fill weight" in text and "Released" in text


def test_the_list_searches_filters_and_hides_from_sites(client, db, make, login, blinding):
    operator = make.user(roles=("logistics",))
    first = blinding.make_batch_record(by=operator, number="BR-ALPHA")
    blinding.make_batch_record(by=operator, number="BR-BETA")
    batch_records.start_production(db.session, first, by=operator)
    db.session.commit()
    login(operator)
    page = client.get("/blinding/batches?q=alpha").get_data(as_text=True)
    assert "BR-ALPHA" in page and "BR-BETA" not in page
    page = client.get("/blinding/batches?status=draft&sort=number").get_data(as_text=True)
    assert "BR-BETA" in page and "BR-ALPHA" not in page
    login(make.user(roles=("site",), sites=[make.site(first.trial)]))
    db.session.commit()
    assert client.get("/blinding/batches").status_code == 403
    assert client.get(f"/blinding/batches/{first.id}").status_code == 403
