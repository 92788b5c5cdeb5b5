"""Reimbursement figures: finance queue with 100,000 claims; a 5,000-claim batch's XML, Excel, PDF.

Run with `make bench` (or pytest tests/benchmarks --benchmarks -s); set DATABASE_URL for
PostgreSQL. The figures are printed, not asserted: targets are < 150 ms for the queue page
(server time through the Flask test client) and < 15 s for XML + Excel + PDF of the batch.
"""

import io
import statistics
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import insert, select

from app.core.models import utcnow
from app.exports.excel import Sheet, write_xlsx
from app.reimbursement.exports import (
    batch_headers,
    batch_items,
    batch_rows,
    batch_summary_pdf,
)
from app.reimbursement.models import BankAccount, BatchItem, Claim, ClaimLine, PaymentBatch
from app.reimbursement.services.bank import encrypt_iban
from app.reimbursement.services.payments import create_batch
from app.reimbursement.services.sepa import build_pain001
from tests.factories import make_site, make_subject, make_trial, make_user, make_visit

pytestmark = pytest.mark.benchmark

CLAIMS = 100_000
BATCH = 5_000
STATUSES = ("validated",) * 5 + ("submitted", "approved", "paid", "draft", "rejected")


def _people(session, n_subjects=200):
    trial = make_trial(session)
    visit = make_visit(session, trial)
    sites = [make_site(session, trial) for _ in range(10)]
    subjects, patients = [], []
    for i in range(n_subjects):
        subjects.append(make_subject(session, sites[i % len(sites)]))
        patients.append(make_user(session, roles=("patient",), password=None))
    return visit, subjects, patients


def _bulk_claims(session, visit, subjects, patients, count, status_of):
    now = utcnow()
    start = session.scalar(select(Claim.id).order_by(Claim.id.desc()).limit(1)) or 0
    rows, lines = [], []
    for i in range(count):
        subject, patient = subjects[i % len(subjects)], patients[i % len(patients)]
        status = status_of(i)
        claim_id = start + i + 1
        rows.append(dict(id=claim_id, subject_id=subject.id, site_id=subject.site_id,
                         claimant_id=patient.id, visit_id=visit.id, status=status,
                         entered_by_id=patient.id, on_behalf=False, declaration_accepted=True,
                         submitted_at=now - timedelta(minutes=i), submitted_by_id=patient.id,
                         total_claimed=Decimal("42.50"),
                         total_approved=Decimal("40.00") if status in ("approved", "paid")
                         else None, approved_at=now if status == "approved" else None,
                         created_at=now, updated_at=now))
        lines.append(dict(claim_id=claim_id, category="taxi", kind="actual_cost",
                          line_date=date(2026, 1, 24), description="Taxi",
                          amount=Decimal("42.50"), site_decision="approved",
                          site_amount=Decimal("40.00"), finance_decision="pending",
                          receipt_requested=False))
        if len(rows) == 5000:
            session.execute(insert(Claim), rows)
            session.execute(insert(ClaimLine), lines)
            rows, lines = [], []
    if rows:
        session.execute(insert(Claim), rows)
        session.execute(insert(ClaimLine), lines)
    return list(range(start + 1, start + count + 1))


def _server_ms(client, url, runs=7):
    client.get(url)  # warm the caches and templates
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return statistics.median(times), min(times)


def test_finance_queue_with_100000_claims(app, db, client, login):
    session = db.session
    visit, subjects, patients = _people(session)
    began = time.perf_counter()
    _bulk_claims(session, visit, subjects, patients, CLAIMS,
                 lambda i: STATUSES[i % len(STATUSES)])
    session.commit()
    load = time.perf_counter() - began
    finance = make_user(session, roles=("finance",))
    session.commit()
    login(finance)
    dialect = session.get_bind().dialect.name
    print(f"\n[reimbursement · {dialect}] loaded {CLAIMS:,} claims in {load:.1f} s")
    for label, url in (("finance approval queue", "/reimbursement/approval"),
                       ("queue, last page", "/reimbursement/approval?page=2000"),
                       ("all claims, filtered", "/reimbursement/?status=validated"),
                       ("all claims, search", "/reimbursement/?q=S-")):
        median, best = _server_ms(client, url)
        print(f"[reimbursement · {dialect}] {label}: median {median:.0f} ms, best {best:.0f} ms "
              f"(target < 150 ms)")


def test_batch_of_5000_claims_xml_excel_pdf(app, db):
    session = db.session
    visit, subjects, patients = _people(session, n_subjects=100)
    finance = make_user(session, roles=("finance",))
    secret = encrypt_iban("ES9121000418450200051332")
    session.execute(insert(BankAccount), [
        dict(user_id=p.id, holder_name=f"José Núñez {i}", iban_encrypted=secret,
             iban_country="ES", iban_last4="1332", holder_is_payee=True, created_at=utcnow(),
             updated_at=utcnow()) for i, p in enumerate(patients)])
    ids = _bulk_claims(session, visit, subjects, patients, BATCH, lambda i: "approved")
    session.commit()
    dialect = session.get_bind().dialect.name
    began = time.perf_counter()
    batch = create_batch(session, ids, finance)
    session.commit()
    print(f"\n[reimbursement · {dialect}] create_batch of {BATCH:,} claims (audit, timeline, "
          f"notices): {time.perf_counter() - began:.1f} s")
    batch = session.get(PaymentBatch, batch.id)
    assert session.query(BatchItem).filter_by(batch_id=batch.id).count() == BATCH

    began = time.perf_counter()
    items = batch_items(session, batch)
    xml = build_pain001(batch, items)
    t_xml = time.perf_counter() - began
    began = time.perf_counter()
    out = io.BytesIO()
    write_xlsx(out, [Sheet(batch.message_id, batch_headers(), batch_rows(items))])
    t_xlsx = time.perf_counter() - began
    began = time.perf_counter()
    pdf = batch_summary_pdf(batch, items, [])
    t_pdf = time.perf_counter() - began
    # Memory separately: tracemalloc slows Python code down several times.
    tracemalloc.start()
    build_pain001(batch, items)
    write_xlsx(io.BytesIO(), [Sheet(batch.message_id, batch_headers(), batch_rows(items))])
    batch_summary_pdf(batch, items, [])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    began = time.perf_counter()
    bare = Workbook(write_only=True)
    sheet = bare.create_sheet()
    for row in batch_rows(items):
        sheet.append(row)
    bare.save(io.BytesIO())
    t_bare = time.perf_counter() - began
    total = t_xml + t_xlsx + t_pdf
    print(f"[reimbursement · {dialect}] batch of {BATCH:,}: pain.001 {t_xml:.2f} s "
          f"({len(xml) // 1024} KiB, schema-validated), Excel {t_xlsx:.2f} s (bare openpyxl "
          f"{t_bare:.2f} s), PDF {t_pdf:.2f} s ({len(pdf) // 1024} KiB); total {total:.2f} s "
          f"(target < 15 s); peak memory {peak / 1e6:.0f} MB")
