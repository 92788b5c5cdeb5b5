"""Trials: create, edit with reason, duplicates, hostile text, approval signature, exports."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.esign.models import Signature
from app.trials.models import Trial
from tests.factories import PASSWORD

HOSTILE = "<script>alert(1)</script> =HYPERLINK(\"http://evil\",\"x\") مرحبا 🧪"


def trial_form(**overrides):
    data = dict(protocol_code="NEW-001", eu_ct_number="2025-512345-12-00", title="A new trial",
                sponsor="Sponsor SA", phase="II", kind="drug", status="setup", countries=["ES"],
                contact_name="Contact", contact_address="Calle 1", contact_phone="+34 910 000 000")
    data.update(overrides)
    return data


def test_admin_creates_a_trial(client, login_as, db):
    login_as("admin")
    response = client.post("/trials/new", data=trial_form())
    assert response.status_code == 302
    trial = db.session.scalar(select(Trial).where(Trial.protocol_code == "NEW-001"))
    assert trial.countries == "ES" and trial.phase == "II"
    assert trial.status == "setup"  # a new trial starts in set-up, whatever the form says


def test_duplicate_protocol_code_is_refused_and_the_form_keeps_its_values(client, login_as, make):
    login_as("admin")
    make.trial(protocol_code="DUP-1")
    response = client.post("/trials/new", data=trial_form(protocol_code="dup-1", title="Kept"),
                           headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Another trial already uses this protocol code." in body
    assert 'value="Kept"' in body


def test_hostile_text_is_stored_and_shown_escaped(client, login_as, db):
    login_as("admin")
    response = client.post("/trials/new", data=trial_form(title=HOSTILE, sponsor="x" * 10_000))
    assert response.status_code == 200  # sponsor too long: refused, nothing saved
    assert db.session.scalar(select(Trial).where(Trial.protocol_code == "NEW-001")) is None
    response = client.post("/trials/new", data=trial_form(title=HOSTILE))
    trial = db.session.scalar(select(Trial).where(Trial.protocol_code == "NEW-001"))
    page = client.get(f"/trials/{trial.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "مرحبا 🧪" in page


def test_edit_needs_a_reason_which_reaches_the_history(client, login_as, make, db):
    login_as("admin")
    trial = make.trial(title="Old")
    db.session.commit()
    form = trial_form(protocol_code=trial.protocol_code, title="New")
    response = client.post(f"/trials/{trial.id}/edit", data=form,
                           headers={"Accept-Language": "en"})
    assert b"Give a reason for this change." in response.data
    db.session.refresh(trial)
    assert trial.title == "Old"
    response = client.post(f"/trials/{trial.id}/edit", data={**form, "reason": "Typo"})
    assert response.status_code == 302
    page = client.get(f"/trials/{trial.id}").get_data(as_text=True)
    assert "Typo" in page and "Old" in page and "New" in page


def test_trial_export_neutralises_formulas(client, login_as, make):
    login_as("admin")
    make.trial(title='=HYPERLINK("http://evil","x")')
    response = client.get("/trials/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        ('=HYPERLINK("http://evil","x")', "s", True)]


def test_qp_signs_the_set_up_with_password(client, login_as, make, db):
    qp = login_as("qp")
    trial = make.trial()
    db.session.commit()
    data = {"meaning": "approved", "password": "wrong", "confirm": "y"}
    refused = client.post(f"/trials/{trial.id}/approve", data=data)
    assert refused.status_code == 200  # the page again, the message beside the password
    assert 'id="password-error"' in refused.get_data(as_text=True)
    assert b"The password is not correct. The record was not signed." in refused.data
    assert db.session.scalar(select(Signature).where(Signature.entity_id == str(trial.id))) is None
    client.post(f"/trials/{trial.id}/approve", data={**data, "password": PASSWORD})
    signature = db.session.scalar(select(Signature).where(Signature.entity_id == str(trial.id)))
    assert signature.printed_name == qp.full_name and signature.meaning == "approved"
    page = client.get(f"/trials/{trial.id}", headers={"Accept-Language": "en"})
    assert qp.full_name in page.get_data(as_text=True) and b"matches the record" in page.data
    pdf = client.get(f"/trials/{trial.id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    failed = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action == "signature_failed", AuditEntry.entity_id == str(qp.id))).all()
    assert failed == ["signature_failed"]


def test_signing_locks_after_repeated_wrong_passwords(app, client, login_as, make, db):
    qp = login_as("qp")
    trial = make.trial()
    db.session.commit()
    for _ in range(app.config["SIGN_MAX_FAILURES"]):
        client.post(f"/trials/{trial.id}/approve",
                    data={"meaning": "approved", "password": "wrong", "confirm": "y"})
    client.post(f"/trials/{trial.id}/approve",
                data={"meaning": "approved", "password": PASSWORD, "confirm": "y"})
    db.session.refresh(qp)
    assert qp.signing_locked_until is not None
    assert db.session.scalar(select(Signature).where(Signature.entity_id == str(trial.id))) is None


def test_a_changed_record_no_longer_matches_its_signature(app, make, db):
    from app.audit.services import set_reason
    from app.esign.services import sign, signature_is_current

    signer = make.user(roles=["qp"])
    trial = make.trial()
    with app.test_request_context():
        signature = sign(db.session, trial, meaning="approved", signer=signer, password=PASSWORD)
        assert signature_is_current(signature, trial)
        set_reason(db.session, "edit after signing")
        trial.contact_phone = "+34 999 999 999"
        assert not signature_is_current(signature, trial)


def test_visit_schedule_add_and_duplicate_number(client, login_as, make, db):
    login_as("admin")
    trial = make.trial()
    make.visit(trial, number=1)
    db.session.commit()
    data = {"number": 1, "name": "Dup", "day_offset": 7, "window_before": 0, "window_after": 0,
            "reason": "schedule"}
    response = client.post(f"/trials/{trial.id}/visits/new", data=data,
                           headers={"Accept-Language": "en"})
    assert b"This visit number is already in the schedule." in response.data
    response = client.post(f"/trials/{trial.id}/visits/new", data={**data, "number": 2})
    assert response.status_code == 302
    db.session.refresh(trial)
    assert [v.number for v in trial.visits] == [1, 2]


def test_list_search_filter_sort_and_paginate(app, client, login_as, make):
    login_as("monitor")
    for n in range(30):
        make.trial(protocol_code=f"PAG-{n:02d}", status="closed" if n % 2 else "active")
    page = client.get("/trials/?q=PAG-&status=closed&sort=-code").get_data(as_text=True)
    assert "PAG-29" in page and "PAG-28" not in page
    assert page.index("PAG-29") < page.index("PAG-27")
    second = client.get("/trials/?q=PAG-&page=2").get_data(as_text=True)
    assert "PAG-29" in second and "PAG-00" not in second
