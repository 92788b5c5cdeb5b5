"""What patients type reaches the trail as typed, but readers without identity never see it."""

import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.reimbursement.models import Claim
from tests.reimbursement.factories import jpeg_bytes, pdf_bytes

NAME = "Juana Secreta Ejemplar"
NATIONAL_ID = "48123456Q"
TYPED = f"{NAME} {NATIONAL_ID}"


def _type_everything(client, login, world, db):
    """As the patient: a line description, a receipt's file name, the bank holder and file."""
    claim = world.claim(receipt=False)
    db.session.commit()
    login(world.patient)
    response = client.post(f"/my/claims/{claim.id}/lines", data={
        "category": "taxi", "line_date": "2026-01-24", "description": TYPED, "amount": "12",
        "receipt": (io.BytesIO(jpeg_bytes()), f"{TYPED}.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    claim = db.session.get(Claim, claim.id)
    response = client.post("/my/bank", data={
        "holder_name": TYPED, "iban": "ES91 2100 0418 4502 0005 1332",
        "holder_is_payee": "no",
        "authorisation": (io.BytesIO(pdf_bytes()), f"{TYPED} autorizacion.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    return claim


def _leaks(text):
    return [s for s in (NAME, NATIONAL_ID, "Juana", "48123456") if s in text]


def test_the_monitor_never_reads_what_patients_typed(client, login, world, db, make):
    _type_everything(client, login, world, db)
    # The trail keeps what was typed (its hash chain stays as written) ...
    stored = " ".join(f"{e.entity_label} {e.changes}" for e in db.session.scalars(
        select(AuditEntry)))
    assert NAME in stored and NATIONAL_ID in stored
    # ... and the monitor reads none of it: log pages, every record's history, the export.
    login(make.user(roles=("monitor",)))
    pages = {}
    listing = client.get("/audit/?per_page=50")
    assert listing.status_code == 200
    pages["/audit/"] = listing.get_data(as_text=True)
    assert "(hidden: typed by the patient)" in pages["/audit/"]
    for query in (NAME, NATIONAL_ID, "Juana"):  # searching cannot confirm a guess either
        page = client.get("/audit/", query_string={"q": query}).get_data(as_text=True)
        assert "RC-" not in page  # no entry found by what the patient typed
    records = db.session.execute(select(AuditEntry.entity_type, AuditEntry.entity_id)
                                 .distinct()).all()
    for entity_type, entity_id in records:
        url = f"/audit/history/{entity_type}/{entity_id}"
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    export = client.get("/audit/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    pages["export"] = json.dumps([[str(c) for c in row] for row in sheet.iter_rows(
        values_only=True)], ensure_ascii=False)
    assert "(hidden: typed by the patient)" in pages["export"]
    leaks = {url: _leaks(page) for url, page in pages.items() if _leaks(page)}
    assert leaks == {}


def test_readers_with_identity_permission_read_the_text_on_record_pages(client, login, world,
                                                                         db):
    claim = _type_everything(client, login, world, db)
    login(world.finance)  # finance holds subjects.identity: the claim's history says it all
    from app.audit.labels import entry_labels
    from app.audit.services import entity_type_of  # noqa: F401 - the same labels the pages use

    with client.application.test_request_context():
        from flask_login import login_user

        login_user(world.finance)
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "claim_line")).all()
        text = " ".join(entry_labels(entries).summary(e) for e in entries)
        assert TYPED in text
    assert claim.id
