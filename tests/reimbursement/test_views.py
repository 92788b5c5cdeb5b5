"""The screens: the patient portal, bad input through forms, staff validation and finance."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from app.audit.models import AuditEntry
from app.core import clock
from app.jobs.models import Job
from app.reimbursement.models import Claim, ClaimLine, PaymentBatch
from tests.factories import PASSWORD, make_user
from tests.reimbursement.factories import jpeg_bytes, pdf_bytes


@pytest.fixture
def world(world, db):
    db.session.commit()  # the pages read it through their own requests
    return world


def _new_claim(client, world, token="t1"):  # noqa: S107 - an idempotency token
    response = client.post("/my/claims/new", data={
        "creation_token": token, "period": "visit", "visit_id": world.visit.id})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_patient_writes_and_submits_a_claim_with_a_receipt(client, login, world, db):
    login(world.patient)
    assert client.get("/my/").status_code == 200
    page = client.get("/my/claims/new").get_data(as_text=True)
    assert "0.26" in page or "0,26" in page  # the policy in plain language
    claim_id = _new_claim(client, world)
    response = client.post(f"/my/claims/{claim_id}/lines", data={
        "category": "taxi", "line_date": "2026-01-24", "description": "Taxi to hospital",
        "amount": "18,40", "receipt": (io.BytesIO(jpeg_bytes()), "taxi.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    client.post(f"/my/claims/{claim_id}/lines", data={
        "category": "car_mileage", "line_date": "2026-01-24", "description": "Car",
        "quantity": "50"})
    claim = db.session.get(Claim, claim_id)
    assert [ln.amount for ln in claim.lines] == [Decimal("18.40"), Decimal("13.00")]
    assert len(claim.lines[0].receipts) == 1
    response = client.post(f"/my/claims/{claim_id}/submit", data={"declaration": "y"})
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.status == "submitted"
    page = client.get(f"/my/claims/{claim_id}").get_data(as_text=True)
    assert "Submitted" in page and "Add expense" not in page


def test_double_click_on_submit_gives_one_submission(client, login, world, db):
    login(world.patient)
    claim = world.claim()
    db.session.commit()
    first = client.post(f"/my/claims/{claim.id}/submit", data={"declaration": "y"})
    second = client.post(f"/my/claims/{claim.id}/submit", data={"declaration": "y"})
    assert first.status_code == second.status_code == 302
    entries = db.session.query(AuditEntry).filter_by(action="claim_submitted").count()
    assert entries == 1


def test_double_click_on_new_claim_gives_one_claim(client, login, world, db):
    login(world.patient)
    first = _new_claim(client, world, token="same")
    second = _new_claim(client, world, token="same")
    assert first == second
    assert db.session.query(Claim).filter_by(claimant_id=world.patient.id).count() == 1


@pytest.mark.parametrize("data, message", [
    ({"amount": "-5"}, "The amount must be more than 0."),
    ({"amount": "0"}, "The amount must be more than 0."),
    ({"category": "car_mileage", "quantity": "5000"}, "km is more than"),
    ({"line_date": "2099-01-01"}, "The date cannot be in the future."),
    ({"line_date": "2025-12-01"}, "before you joined the trial"),
])
def test_bad_lines_show_a_clear_message_and_keep_what_was_typed(client, login, world, db,
                                                                 data, message):
    login(world.patient)
    claim_id = _new_claim(client, world)
    form = {"category": "taxi", "line_date": "2026-01-24", "description": "Típico taxi",
            "amount": "12"} | data
    response = client.post(f"/my/claims/{claim_id}/lines", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "Típico taxi" in page
    assert db.session.query(ClaimLine).filter_by(claim_id=claim_id).count() == 0


def test_bad_receipts_leave_nothing_half_saved(client, login, world, db):
    login(world.patient)
    claim_id = _new_claim(client, world)
    response = client.post(f"/my/claims/{claim_id}/lines", data={
        "category": "taxi", "line_date": "2026-01-24", "description": "Taxi", "amount": "12",
        "receipt": (io.BytesIO(b"<html><script>x</script></html>"), "photo.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This file is not one of them" in response.get_data(as_text=True)
    assert db.session.query(ClaimLine).filter_by(claim_id=claim_id).count() == 0


def test_messages_follow_the_patients_language(client, login, world, db):
    world.patient.language = "es"
    db.session.commit()
    login(world.patient)
    claim_id = _new_claim(client, world)
    response = client.post(f"/my/claims/{claim_id}/lines", data={
        "category": "taxi", "line_date": "2026-01-24", "description": "Taxi", "amount": "-1"})
    assert "El importe debe ser mayor que 0." in response.get_data(as_text=True)


def test_editing_after_submission_is_refused_without_a_500(client, login, world, db):
    login(world.patient)
    claim = world.submitted()
    db.session.commit()
    response = client.post(f"/my/claims/{claim.id}/lines", data={
        "category": "taxi", "line_date": "2026-01-24", "description": "Taxi", "amount": "5"},
        follow_redirects=True)
    assert response.status_code == 200
    assert "can no longer be changed" in response.get_data(as_text=True)
    response = client.post(f"/my/claims/{claim.id}/lines/{claim.lines[0].id}/delete")
    assert response.status_code == 302
    assert db.session.query(ClaimLine).filter_by(claim_id=claim.id).count() == 1


def test_invalid_iban_is_refused_in_the_form(client, login, world, db):
    login(world.patient)
    response = client.post("/my/bank", data={"holder_name": "Ana Ruiz", "iban": "ES12 3456",
                                             "holder_is_payee": "yes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "This IBAN is not valid" in page
    assert "Ana Ruiz" in page
    response = client.post("/my/bank", data={"holder_name": "Ana Ruiz",
                                              "iban": "ES91 2100 0418 4502 0005 1332",
                                              "holder_is_payee": "yes"})
    assert response.status_code == 302
    assert "1332" in client.get("/my/").get_data(as_text=True)
    assert "ES9121000418" not in client.get("/my/bank").get_data(as_text=True)


def test_a_50_mb_upload_is_refused_not_a_500(client, login, world, db):
    login(world.patient)
    claim = world.claim()
    db.session.commit()
    response = client.post(
        f"/my/claims/{claim.id}/lines/{claim.lines[0].id}/receipts",
        data={f"r{claim.lines[0].id}-receipt": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 50_000_000),
                                                "big.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 413


def test_site_validates_finance_approves_batches_releases_and_pays(client, login, world, db,
                                                                   inline_jobs):
    world.bank()
    claim = world.submitted(lines=(("taxi", Decimal("40"), None), ("car_mileage", None, "20")))
    db.session.commit()
    taxi = claim.lines[0]
    login(world.site_user)
    page = client.get("/reimbursement/validation").get_data(as_text=True)
    assert claim.reference in page
    response = client.post(f"/reimbursement/claims/{claim.id}/validate", data={
        f"decision_{taxi.id}": "reduced", f"amount_{taxi.id}": "30",
        f"reason_{taxi.id}": "Taxi fare above the usual price"})
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.status == "validated"
    login(world.finance)
    assert claim.reference in client.get("/reimbursement/approval").get_data(as_text=True)
    client.post(f"/reimbursement/claims/{claim.id}/approve", data={"approve_all": "y"})
    db.session.refresh(claim)
    assert claim.status == "approved" and claim.total_approved == Decimal("35.20")
    response = client.post("/reimbursement/batches/new", data={
        "claims": [claim.id], "execution_date": clock.today().isoformat()})
    assert response.status_code == 302
    batch = db.session.query(PaymentBatch).one()
    refused = client.post(f"/reimbursement/batches/{batch.id}/pain001.xml")
    assert refused.status_code == 302 and db.session.query(Job).count() == 0
    login(world.finance2)
    response = client.post(f"/reimbursement/batches/{batch.id}/release", data={
        "meaning": "released", "password": PASSWORD, "confirm": "y"})
    db.session.refresh(batch)
    assert batch.status == "released"
    started = client.post(f"/reimbursement/batches/{batch.id}/pain001.xml")
    job = db.session.query(Job).one()
    assert started.headers["Location"] == f"/jobs/{job.id}" and job.status == "ready"
    xml = client.get(f"/reimbursement/batches/{batch.id}/sepa/{job.id}")
    assert xml.status_code == 200 and b"<Ustrd>" + claim.reference.encode() in xml.data
    assert world.trial.protocol_code.encode() not in xml.data
    paid = {"value_date": batch.execution_date.isoformat(), "bank_reference": "CABK 1"}
    client.post(f"/reimbursement/batches/{batch.id}/paid", data=paid)
    client.post(f"/reimbursement/batches/{batch.id}/paid", data=paid)  # twice: refused politely
    db.session.refresh(claim)
    assert claim.status == "paid"
    assert db.session.query(AuditEntry).filter_by(action="batch_paid").count() == 1
    # Paid: the file already sent stays downloadable; no new one can be prepared.
    page = client.get(f"/reimbursement/batches/{batch.id}").get_data(as_text=True)
    assert f"/reimbursement/batches/{batch.id}/sepa/{job.id}" in page
    assert f"/reimbursement/batches/{batch.id}/pain001.xml" not in page
    again = client.post(f"/reimbursement/batches/{batch.id}/pain001.xml")
    assert again.status_code == 302 and db.session.query(Job).count() == 1
    excel = client.get(f"/reimbursement/batches/{batch.id}.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(excel.data)).get_sheet_by_index(0) \
        .to_python()
    assert rows[1][0] == claim.reference
    summary = client.get(f"/reimbursement/batches/{batch.id}/summary.pdf")
    assert summary.data.startswith(b"%PDF")
    totals = client.get("/reimbursement/payee-totals.xlsx?year="
                        f"{claim.paid_at.year}")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(totals.data)).get_sheet_by_index(0) \
        .to_python()
    assert rows[1][3:7] == [30.0, 5.2, 0.0, 35.2]
    # The patient sees each step and downloads their sheet.
    login(world.patient)
    page = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    for label in ("Submitted", "Validated by the site", "Approved by finance", "Paid",
                  "Taxi fare above the usual price"):
        assert label in page
    sheet = client.get(f"/my/claims/{claim.id}/sheet.pdf")
    reader = PdfReader(io.BytesIO(sheet.data))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Expense Reimbursement Sheet" in text and claim.subject.code in text
    assert "1332" in text and "2100 0418" not in text
    assert "Validated" in text and "Approved" in text  # the signature manifest
    assert len(reader.pages) >= 2  # the receipt appended


def test_sheet_merges_pdf_receipts(client, login, world, db):
    from reportlab.pdfgen.canvas import Canvas

    from app.exports.pdf_fonts import FONT, register_fonts
    from app.reimbursement.services.drafting import attach_receipt

    register_fonts()
    embedded = io.BytesIO()
    page = Canvas(embedded, initialFontName=FONT)
    page.setFont(FONT, 12)
    page.drawString(72, 700, "FACTURA-TAXI-77")
    page.showPage()
    page.save()
    claim = world.claim(lines=(("taxi", Decimal("10"), None), ("taxi", Decimal("5"), None)),
                        receipt=False)
    attach_receipt(db.session, claim.lines[0], embedded.getvalue(), "f.pdf", world.patient)
    # Helvetica, not embedded: the receipt is kept as an image of its page.
    attach_receipt(db.session, claim.lines[1], pdf_bytes("FACTURA-BUS-12"), "g.pdf",
                   world.patient)
    db.session.commit()
    login(world.patient)
    data = client.get(f"/my/claims/{claim.id}/sheet.pdf").data
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert "FACTURA-TAXI-77" in pages[-2] and f"{claim.reference} · line 1" in pages[-2]
    assert "FACTURA-BUS-12" not in pages[-1] and f"{claim.reference} · line 2" in pages[-1]


def test_site_staff_invite_a_patient_and_enter_a_claim_on_their_behalf(client, login, world,
                                                                        db):
    from app.notify.models import OutboxMessage

    login(world.site_user)
    response = client.post(f"/reimbursement/subjects/{world.subject.id}/invite", data={
        "relation": "caregiver", "full_name": "Carmen Vidal", "email": "carmen@test.example",
        "language": "es"})
    assert response.status_code == 302
    mail = db.session.query(OutboxMessage).filter_by(recipient="carmen@test.example").one()
    assert "/auth/invitation/" in mail.body and "Hola" in mail.body
    response = client.post(f"/reimbursement/subjects/{world.subject.id}/claims", data={
        "creation_token": "x1", "claimant_id": world.patient.id, "period": "visit",
        "visit_id": world.visit.id})
    assert response.status_code == 302
    claim = db.session.query(Claim).filter_by(claimant_id=world.patient.id).one()
    assert claim.on_behalf and claim.entered_by_id == world.site_user.id
    assert "entered by the site" in client.get(f"/reimbursement/claims/{claim.id}") \
        .get_data(as_text=True).lower()


def test_finance_reveal_of_the_iban_is_audited(client, login, world, db):
    world.bank()
    claim = world.submitted()
    db.session.commit()
    login(world.finance)
    page = client.get(f"/reimbursement/claims/{claim.id}/bank").get_data(as_text=True)
    assert "ES9121000418450200051332" not in page
    page = client.post(f"/reimbursement/claims/{claim.id}/bank").get_data(as_text=True)
    assert "ES9121000418450200051332" in page
    assert db.session.query(AuditEntry).filter_by(action="iban_revealed").count() == 1


def test_monitor_sees_codes_and_totals_only(client, login_as, world, db):
    world.submitted()
    db.session.commit()
    login_as("monitor")
    page = client.get("/reimbursement/").get_data(as_text=True)
    assert world.subject.code in page and world.patient.full_name not in page
    claim = db.session.query(Claim).first()
    assert client.get(f"/reimbursement/claims/{claim.id}").status_code == 403


def test_site_staff_see_only_their_sites(client, login_as, world, db):
    claim = world.submitted()
    db.session.commit()
    login_as("site")
    assert client.get(f"/reimbursement/claims/{claim.id}").status_code == 404
    assert claim.reference not in client.get("/reimbursement/").get_data(as_text=True)


def test_the_batch_page_offers_the_release_signature_to_another_user(client, login, world, db):
    world.bank()
    claim = world.approved()
    from app.reimbursement.services.payments import create_batch

    batch = create_batch(db.session, [claim.id], world.finance)
    db.session.commit()
    login(world.finance)
    page = client.get(f"/reimbursement/batches/{batch.id}").get_data(as_text=True)
    assert "Another finance user must release this batch." in page
    login(world.finance2)
    page = client.get(f"/reimbursement/batches/{batch.id}").get_data(as_text=True)
    assert 'name="password"' in page and "/release" in page


def test_site_staff_find_their_subjects_and_the_policies(client, login, world, db, make):
    other = make.subject()
    db.session.commit()
    login(world.site_user)
    page = client.get("/reimbursement/subjects").get_data(as_text=True)
    assert world.subject.code in page and other.code not in page
    page = client.get("/reimbursement/").get_data(as_text=True)
    assert f"/reimbursement/trials/{world.trial.id}/policy" in page
    assert client.get(f"/reimbursement/subjects/{other.id}").status_code == 404


def test_patient_adds_the_receipt_the_site_asked_for(client, login, world, db):
    claim = world.submitted(receipt=False)
    line = claim.lines[0]
    db.session.commit()
    login(world.site_user)
    client.post(f"/reimbursement/claims/{claim.id}/lines/{line.id}/request-receipt",
                data={"note": "Falta el ticket del taxi"})
    login(world.patient)
    page = client.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    assert "The site asks for a receipt for this expense." in page
    assert "Falta el ticket del taxi" in page
    response = client.post(f"/my/claims/{claim.id}/lines/{line.id}/receipts",
                           data={f"r{line.id}-receipt": (io.BytesIO(jpeg_bytes()), "t.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(line)
    assert len(line.receipts) == 1 and line.receipts[0].after_submission
    assert not line.receipt_requested


def test_the_audit_log_names_reimbursement_actions(client, login_as, world, db):
    world.submitted()
    db.session.commit()
    login_as("admin")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Expense claim submitted" in page


def test_patient_reads_their_messages_in_the_portal(client, login, world, db):
    from app.notify.models import Notice

    claim = world.submitted()
    db.session.commit()
    login(world.patient)
    page = client.get("/my/").get_data(as_text=True)
    assert f"Your expense claim {claim.reference}: Submitted." in page and "New:" in page
    client.post("/my/notices/read")
    assert db.session.query(Notice).filter(Notice.user_id == world.patient.id,
                                           Notice.read_at.is_(None)).count() == 0
    assert "New:" not in client.get("/my/").get_data(as_text=True)


def test_a_refused_review_shows_the_message_beside_its_line_and_keeps_what_was_typed(
        client, login, world, db):
    claim = world.submitted(lines=(("taxi", Decimal("40"), None),))
    db.session.commit()
    taxi = claim.lines[0]
    login(world.site_user)
    response = client.post(f"/reimbursement/claims/{claim.id}/validate", data={
        f"decision_{taxi.id}": "reduced", f"amount_{taxi.id}": "99",
        f"reason_{taxi.id}": "Tarifa habitual"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (f'<div id="amount_{taxi.id}-error" class="invalid-feedback d-block">A reduced '
            "amount must be more than 0 and less than €40.00.</div>") in page
    assert 'value="99"' in page and 'value="Tarifa habitual"' in page
    db.session.refresh(claim)
    assert claim.status == "submitted" and taxi.site_decision == "pending"


def test_staff_enter_claims_only_for_their_own_sites(client, login, world, db):
    both = make_user(db.session, roles=("site", "finance"))
    claim = world.claim()
    db.session.commit()
    login(both)  # sees every claim (finance), but is staff of no site of this one
    assert client.get(f"/reimbursement/claims/{claim.id}").status_code == 200
    response = client.post(f"/reimbursement/claims/{claim.id}/lines", data={
        "category": "taxi", "line_date": "2026-01-24", "description": "Taxi", "amount": "5"})
    assert response.status_code == 404
    response = client.post(f"/reimbursement/subjects/{world.subject.id}/claims", data={
        "creation_token": "x2", "claimant_id": world.patient.id, "period": "visit",
        "visit_id": world.visit.id})
    assert response.status_code == 404
    assert db.session.query(ClaimLine).filter_by(claim_id=claim.id).count() == 1


def test_a_refused_new_claim_keeps_what_was_typed_with_the_message_beside_its_field(
        client, login, world, db):
    login(world.patient)
    response = client.post("/my/claims/new", data={
        "creation_token": "t9", "period": "stay", "stay_end": "2026-02-03"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ('<div id="stay_start-error" class="invalid-feedback d-block">Give the first day of '
            "the stay.</div>") in page
    assert 'value="2026-02-03"' in page
    response = client.post("/my/claims/new", data={"creation_token": "t9", "period": "visit"})
    assert response.status_code == 422
    assert ('<div id="visit_id-error" class="invalid-feedback d-block">Choose the visit.</div>'
            in response.get_data(as_text=True))
    assert db.session.query(Claim).filter_by(claimant_id=world.patient.id).count() == 0


def test_the_claims_excel_holds_the_rows_the_search_found(client, login, world, db):
    from datetime import date

    from app.reimbursement.models import PatientLink
    from tests.factories import make_subject

    first = world.submitted()
    world.subject = make_subject(db.session, world.site, enrolment_date=date(2026, 1, 10))
    world.patient = make_user(db.session, roles=("patient",))
    db.session.add(PatientLink(user_id=world.patient.id, subject_id=world.subject.id,
                               relation="patient"))
    second = world.submitted()
    db.session.commit()
    login(world.finance)
    query = {"q": world.subject.code.lower()}
    page = client.get("/reimbursement/", query_string=query).get_data(as_text=True)
    assert second.reference in page and first.reference not in page
    excel = client.get("/reimbursement/claims.xlsx", query_string=query,
                       headers={"Accept-Language": "en"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(excel.data)).get_sheet_by_index(0) \
        .to_python()
    assert [row[0] for row in rows[1:]] == [second.reference]
    assert rows[0][6] == "Submitted (UTC)" and rows[0][9] == "Paid (UTC)"


def test_a_wrong_password_at_release_keeps_the_comment_and_the_signature_keeps_it(
        client, login, world, db):
    from app.esign.models import Signature
    from app.reimbursement.services.payments import create_batch

    world.bank()
    batch = create_batch(db.session, [world.approved().id], world.finance)
    db.session.commit()
    login(world.finance2)
    typed = {"meaning": "released", "password": "not-my-password", "confirm": "y",
             "comment": "Revisado contra el extracto"}
    page = client.post(f"/reimbursement/batches/{batch.id}/release", data=typed,
                       headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Revisado contra el extracto</textarea>" in text and "not-my-password" not in text
    db.session.refresh(batch)
    assert batch.status == "draft"
    client.post(f"/reimbursement/batches/{batch.id}/release", data={**typed, "password": PASSWORD})
    db.session.refresh(batch)
    signature = db.session.query(Signature).filter_by(meaning="released").one()
    assert batch.status == "released" and signature.comment == "Revisado contra el extracto"
