"""A large export runs as a job: prepare, leave, be told, download; small ones stay immediate."""

import io
from datetime import timedelta

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.models import utcnow
from app.files.services import object_key
from app.files.storage import get_storage
from app.jobs.models import Job
from app.jobs.queue import huey
from app.jobs.services import expire_files
from app.notify.models import Notice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(data):
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


def audit_count(db):
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def start_large_export(client, db, user):
    page = client.get("/audit/export.xlsx")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "Prepare file" in page.get_data(as_text=True)
    response = client.post("/audit/export.xlsx")
    job = db.session.scalars(select(Job).where(Job.owner_id == user.id)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jobs/{job.id}"
    return job


def test_a_coordinator_starts_a_large_export_leaves_is_told_and_downloads_it(
        client, db, login_as, make, threshold):
    user = login_as("logistics")
    for _ in range(3):
        make.trial()
    db.session.commit()
    total = audit_count(db)
    assert total > threshold
    job = start_large_export(client, db, user)
    db.session.refresh(job)
    assert job.status == "ready"
    assert (job.rows_total, job.attempts, job.kind) == (total, 1, "audit_log")
    assert job.file_name == "audit-trail.xlsx"
    assert job.expires_at - job.finished_at == timedelta(days=7)
    # Left the page: the notice says it is ready and links to the job.
    notice = db.session.scalars(select(Notice).where(Notice.user_id == user.id)).one()
    assert notice.message == "Your file is ready: Audit trail (Excel)"
    assert notice.link == f"/jobs/{job.id}"
    listing = client.get("/jobs/").get_data(as_text=True)
    assert "Audit trail (Excel)" in listing
    assert f'href="/jobs/{job.id}/download"' in listing
    progress = client.get(f"/jobs/{job.id}/progress").get_json()
    assert progress == {"status": "ready", "label": "Ready", "rows_done": total,
                        "rows_total": total, "percent": 100, "done": True, "saved": None}
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    assert download.mimetype == XLSX
    assert download.headers["Content-Disposition"].startswith("attachment")
    rows = sheet_rows(download.data)
    assert rows[0][:3] == ["Entry", "When (UTC)", "User"]
    assert len(rows) == total + 1
    assert [int(r[0]) for r in rows[1:]] == sorted(int(r[0]) for r in rows[1:])
    # The job's own trail: started, then finished, by the system.
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "job", AuditEntry.entity_id == str(job.id))
        .order_by(AuditEntry.id)).all()
    assert actions == ["create", "job_start", "job_finish"]


def test_the_job_page_shows_a_progress_bar_fed_by_a_static_script(client, db, login_as, make):
    user = login_as("logistics")
    job = Job(owner_id=user.id, kind="audit_log", title="Audit trail (Excel)", params={},
              status="running", rows_total=1000, rows_done=0)
    db.session.add(job)
    db.session.commit()
    huey.put(f"job-progress:{job.id}", {"rows": 250, "saved": None})
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f'data-progress-url="/jobs/{job.id}/progress"' in page
    assert '<script src="/static/js/jobs.js"></script>' in page
    assert "<script>" not in page
    assert client.get(f"/jobs/{job.id}/progress").get_json() == {
        "status": "running", "label": "Being prepared", "rows_done": 250, "saved": None,
        "rows_total": 1000, "percent": 25, "done": False}
    # Every row written, the file being compressed: the bar says so instead of standing still.
    huey.put(f"job-progress:{job.id}", {"rows": 1000, "saved": 40})
    assert client.get(f"/jobs/{job.id}/progress").get_json() == {
        "status": "running", "label": "Compressing the file: 40%", "rows_done": 1000,
        "saved": 40, "rows_total": 1000, "percent": 99, "done": False}


def test_writing_a_file_reports_rows_then_compression_up_to_the_whole(tmp_path):
    from openpyxl import load_workbook

    from app.exports.excel import Sheet, write_xlsx_file

    reports = []
    rows = ([n, f"line {n}", "x" * 40] for n in range(30_000))
    path = tmp_path / "big.xlsx"
    write_xlsx_file(path, [Sheet(title="Big", headers=["n", "text", "pad"], rows=rows)],
                    lambda done, saved=None: reports.append((done, saved)))
    rows_phase = [done for done, saved in reports if saved is None]
    saving = [saved for done, saved in reports if saved is not None]
    assert rows_phase == list(range(200, 30_001, 200)) + [30_000]
    assert len(saving) >= 2 and saving == sorted(saving) and saving[-1] == 1.0
    assert all(done == 30_000 for done, saved in reports if saved is not None)
    values = list(load_workbook(path, read_only=True)["Big"].iter_rows(values_only=True))
    assert len(values) == 30_001
    assert list(values[-1]) == [29_999, "line 29999", "x" * 40]


def test_a_small_export_is_still_sent_at_once(client, db, login_as):
    login_as("logistics")
    response = client.get("/audit/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert len(sheet_rows(response.data)) == audit_count(db) + 1
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_another_users_job_is_not_found(client, db, login_as, make, login, threshold):
    owner = login_as("logistics")
    for _ in range(3):
        make.trial()
    db.session.commit()
    job = start_large_export(client, db, owner)
    other = make.user(roles=("logistics",))
    db.session.commit()
    login(other)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/progress").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    assert client.post(f"/jobs/{job.id}/retry").status_code == 404
    assert "Audit trail (Excel)" not in client.get("/jobs/").get_data(as_text=True)


def test_an_expired_file_says_so_and_its_bytes_are_gone(client, db, login_as, make, threshold):
    user = login_as("logistics")
    for _ in range(3):
        make.trial()
    db.session.commit()
    job = start_large_export(client, db, user)
    db.session.refresh(job)
    key = object_key(job.file.storage_key)
    assert get_storage().exists(key)
    assert expire_files(db.session, now=utcnow() + timedelta(days=6)) == 0
    assert expire_files(db.session, now=utcnow() + timedelta(days=8)) == 1
    db.session.commit()
    assert job.status == "expired"
    assert not get_storage().exists(key)
    response = client.get(f"/jobs/{job.id}/download", follow_redirects=True)
    message = ("This file has expired: files are kept 7 days. Prepare the export again.")
    assert message in response.get_data(as_text=True)


def test_download_checks_the_permission_of_the_kind_again(client, db, login_as, make,
                                                          threshold):
    user = login_as("logistics")
    for _ in range(3):
        make.trial()
    db.session.commit()
    job = start_large_export(client, db, user)
    user.role_links[0].role = "site"  # no longer allowed to read the audit trail
    db.session.commit()
    response = client.get(f"/jobs/{job.id}/download", follow_redirects=True)
    assert response.mimetype == "text/html"
    assert "You are no longer allowed to download this file." in response.get_data(as_text=True)


def test_each_domains_export_route_starts_its_job_when_large(app, client, db, login_as, make):
    """Accountability log, shipment board, claims: the prepare page, the job, the file."""
    trial = make.trial()
    site = make.site(trial)
    user = login_as("admin", "logistics", "finance", "monitor", sites=[site])
    app.config["EXPORT_JOB_THRESHOLD_ROWS"] = -1  # every export is "large"
    try:
        cases = [(f"/stock/accountability/site/{site.id}/log.xlsx", "accountability_log",
                  "Summary"),
                 ("/shipments/export.xlsx?status=open", "shipment_board", "Shipments"),
                 ("/reimbursement/claims.xlsx?status=submitted", "claims", "Claims")]
        for url, kind, first_sheet in cases:
            page = client.get(url)
            assert (page.status_code, page.mimetype) == (200, "text/html"), url
            assert "Prepare file" in page.get_data(as_text=True)
            response = client.post(url)
            job = db.session.scalars(select(Job).where(Job.owner_id == user.id, Job.kind == kind)
                                     ).one()
            assert response.headers["Location"] == f"/jobs/{job.id}"
            db.session.refresh(job)
            assert job.status == "ready", job.error
            download = client.get(f"/jobs/{job.id}/download")
            book = CalamineWorkbook.from_filelike(io.BytesIO(download.data))
            assert book.sheet_names[0] == first_sheet
        board = db.session.scalars(select(Job).where(Job.kind == "shipment_board")).one()
        assert board.params == {"status": "open"}
        claims = db.session.scalars(select(Job).where(Job.kind == "claims")).one()
        assert claims.params == {"status": "submitted"}
    finally:
        app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 5000
