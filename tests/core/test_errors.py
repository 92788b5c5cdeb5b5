"""Error pages: 500 rolls back and hides the trace, 413 explains, hostile input never breaks pages."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.trials.models import Trial
from tests.dbsetup import make_test_app


def test_500_rolls_back_and_shows_no_trace(app, database_url):
    broken = make_test_app(database_url)
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    from app.extensions import db

    @broken.route("/boom")
    def boom():
        db.session.add(Trial(protocol_code="HALF-SAVED", title="t", sponsor="s", phase="I",
                             contact_name="c", contact_address="a", contact_phone="1"))
        db.session.flush()
        raise RuntimeError("secret internal detail")

    boom.public = True
    client = broken.test_client()
    response = client.get("/boom", headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body and "secret internal detail" not in body
    assert "Traceback" not in body
    with broken.app_context():
        assert db.session.scalar(select(Trial).where(Trial.protocol_code == "HALF-SAVED")) is None


def test_413_page(app, client, login_as, monkeypatch):
    login_as("admin")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/trials/new", data={"title": "x" * 5000},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413 and b"File too large" in response.data


def test_hostile_reason_text(client, login_as, make, db):
    login_as("admin")
    trial = make.trial()
    db.session.commit()
    form = {"protocol_code": trial.protocol_code, "title": trial.title, "sponsor": "S",
            "phase": "III", "kind": "drug", "status": "active", "countries": ["ES"],
            "contact_name": "C", "contact_address": "A", "contact_phone": "+34 1234567"}
    too_long = client.post(f"/trials/{trial.id}/edit", data={**form, "reason": "r" * 10_000})
    assert too_long.status_code == 200 and b"500" in too_long.data  # max length is stated
    hostile = "<script>alert(1)</script> ‏مرحبا 😀 =1+1"
    response = client.post(f"/trials/{trial.id}/edit", data={**form, "reason": hostile})
    assert response.status_code == 302
    page = client.get(f"/trials/{trial.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ‏مرحبا 😀 =1+1" in page


def test_audit_log_filters_and_exports(client, login_as, make, db):
    login_as("admin")
    make.trial(title="=cmd|' /C calc'!A0")
    db.session.commit()
    page = client.get("/audit/?entity_type=trial&action=create").get_data(as_text=True)
    assert "trial" in page
    response = client.get("/audit/export.xlsx?entity_type=trial")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert values and not any(v.startswith("=") for v in values)
    assert sheet.freeze_panes == "A2"


def test_audit_history_page_needs_an_existing_record(client, login_as):
    login_as("admin")
    assert client.get("/audit/history/trial/999999").status_code == 404


def test_huge_numbers_never_reach_the_database(client, login_as, make, db):
    login_as("admin")
    trial = make.trial()
    db.session.commit()
    assert client.get("/trials/99999999999999999999999").status_code == 404
    response = client.get("/trials/sites?trial=99999999999999999999999")
    assert response.status_code in (200, 400)
    visit = {"number": "99999999999999999999", "name": "V", "day_offset": "1e400",
             "window_before": 0, "window_after": 0, "reason": "r"}
    response = client.post(f"/trials/{trial.id}/visits/new", data=visit)
    assert response.status_code == 200
    assert b"out of the accepted range" in response.data or b"valid integer" in response.data


def test_decimal_fields_refuse_infinity_and_huge_values(app):
    from flask_wtf import FlaskForm
    from wtforms import DecimalField

    class Money(FlaskForm):
        amount = DecimalField("Amount", places=2)

    for text in ("1e400", "Infinity", "NaN", "-1e13"):
        with app.test_request_context(method="POST", data={"amount": text}):
            form = Money(meta={"csrf": False})
            assert not form.validate(), text
            assert form.amount.data is None


def test_patients_are_pseudonymous_in_the_audit_trail(db, make):
    import json

    from sqlalchemy import select

    from app.audit.models import AuditEntry

    patient = make.user(roles=["patient"], full_name="Paciente Secreto",
                        email="secreto@test.example")
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(patient.id)))
    assert "Paciente Secreto" not in entry.changes and "secreto@" not in entry.changes
    assert entry.entity_label == f"patient #{patient.id}"
    assert json.loads(entry.changes)["full_name"][1] == "•••"
