"""The SEPA file of a payment batch is a background job: prepared after release, checked
against pain.001.001.03, kept in the file storage, downloaded from the batch page (by any
finance user) and from My downloads (by its owner); refused clearly when it cannot be made."""

import pytest
from redis import ConnectionPool
from sqlalchemy import select

from app.files.services import read_bytes
from app.jobs.models import Job
from app.jobs.queue import huey
from app.notify.models import Notice
from app.reimbursement.services.payments import create_batch, release_batch
from app.reimbursement.services.sepa import schema_problems, sepa_rule_problems
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def released(world, db):
    world.bank()
    claims = [world.approved(), world.approved()]
    batch = create_batch(world.session, [c.id for c in claims], world.finance)
    release_batch(world.session, batch, world.finance2, PASSWORD)
    db.session.commit()
    return batch, claims


def test_finance_prepares_the_sepa_file_and_both_finance_users_download_it(
        client, login, world, db, released, inline_jobs):
    batch, claims = released
    login(world.finance)
    page = client.get(f"/reimbursement/batches/{batch.id}").get_data(as_text=True)
    assert "No SEPA file has been prepared yet, or the last one has expired." in page
    assert f'action="/reimbursement/batches/{batch.id}/pain001.xml"' in page
    response = client.post(f"/reimbursement/batches/{batch.id}/pain001.xml")
    job = db.session.scalars(select(Job)).one()
    assert (response.status_code, response.headers["Location"]) == (302, f"/jobs/{job.id}")
    assert (job.kind, job.status, job.rows_total, job.owner_id, job.params) == (
        "sepa_file", "ready", 2, world.finance.id, {"batch_id": batch.id})
    assert job.file_name == f"{batch.message_id}.xml"
    # Kept in the platform's file storage, fingerprinted; valid against the XSD and EPC rules.
    assert (job.file.content_type, job.file.original_name, job.file.sha256) == (
        "application/xml", f"{batch.message_id}.xml", job.sha256)
    xml = read_bytes(job.file)
    assert schema_problems(xml) == [] and sepa_rule_problems(xml) == []
    assert [f"<Ustrd>{c.reference}</Ustrd>" in xml.decode() for c in claims] == [True, True]
    notice = db.session.scalars(select(Notice).where(Notice.user_id == world.finance.id)).one()
    assert (notice.message, notice.link) == (
        "Your file is ready: SEPA credit transfer file (XML)", f"/jobs/{job.id}")
    # My downloads of its owner.
    assert f'href="/jobs/{job.id}/download"' in client.get("/jobs/").get_data(as_text=True)
    mine = client.get(f"/jobs/{job.id}/download")
    assert (mine.status_code, mine.mimetype, mine.data) == (200, "application/xml", xml)
    assert mine.headers["Content-Disposition"] == (
        f"attachment; filename={batch.message_id}.xml")
    # The batch page, for the other finance user too: the same bytes.
    login(world.finance2)
    page = client.get(f"/reimbursement/batches/{batch.id}").get_data(as_text=True)
    link = f'href="/reimbursement/batches/{batch.id}/sepa/{job.id}"'
    assert link in page and job.sha256 in page
    assert f"Prepared by {world.finance.full_name} on" in page
    other = client.get(f"/reimbursement/batches/{batch.id}/sepa/{job.id}")
    assert (other.status_code, other.data) == (200, xml)
    assert client.get(f"/jobs/{job.id}/download").status_code == 404  # not their job
    assert f"/jobs/{job.id}" not in client.get("/jobs/").get_data(as_text=True)


def test_a_draft_batch_has_no_sepa_file(client, login, world, db, inline_jobs):
    world.bank()
    batch = create_batch(world.session, [world.approved().id], world.finance)
    db.session.commit()
    login(world.finance)
    page = client.get(f"/reimbursement/batches/{batch.id}").get_data(as_text=True)
    assert "The SEPA file is prepared once the batch has been released." in page
    assert "pain001.xml" not in page
    response = client.post(f"/reimbursement/batches/{batch.id}/pain001.xml",
                           follow_redirects=True)
    assert response.status_code == 200
    assert "The SEPA file is prepared once the batch has been released." in \
        response.get_data(as_text=True)
    assert db.session.scalars(select(Job)).all() == []


def test_the_file_of_another_batch_or_a_failed_job_is_not_found(
        client, login, world, db, released, inline_jobs):
    batch, _ = released
    login(world.finance)
    client.post(f"/reimbursement/batches/{batch.id}/pain001.xml")
    job = db.session.scalars(select(Job)).one()
    world.bank()
    second = create_batch(world.session, [world.approved().id], world.finance)
    db.session.commit()
    assert client.get(f"/reimbursement/batches/{second.id}/sepa/{job.id}").status_code == 404
    assert client.get(f"/reimbursement/batches/{batch.id}/sepa/{job.id + 1}").status_code == 404
    login(world.site_user)
    assert client.get(f"/reimbursement/batches/{batch.id}/sepa/{job.id}").status_code == 403
    assert client.post(f"/reimbursement/batches/{batch.id}/pain001.xml").status_code == 403


def test_with_the_queue_down_the_sepa_file_is_refused_clearly(
        client, login, world, db, released, monkeypatch):
    from huey.storage import RedisStorage

    batch, _ = released
    monkeypatch.setattr(huey, "_immediate", False)
    pool = ConnectionPool.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    monkeypatch.setattr(huey, "storage", RedisStorage("ensayo", connection_pool=pool))
    login(world.finance)
    response = client.post(f"/reimbursement/batches/{batch.id}/pain001.xml",
                           follow_redirects=True)
    assert response.status_code == 200
    assert ("The SEPA file cannot be prepared right now: the background queue is not "
            "reachable. Try again in a few minutes.") in response.get_data(as_text=True)
    assert db.session.scalars(select(Job)).all() == []


def test_the_sepa_job_reports_progress_per_transfer(world, db, app, monkeypatch):
    from app.reimbursement.exports import build_sepa

    world.bank()
    batch = create_batch(world.session, [world.approved().id for _ in range(3)], world.finance)
    release_batch(world.session, batch, world.finance2, PASSWORD)
    seen = []
    path = app.instance_path + "/sepa-progress-test.xml"
    from pathlib import Path

    build_sepa(world.session, world.finance, {"batch_id": batch.id}, Path(path), seen.append)
    assert seen == [1, 2, 3]
    assert schema_problems(Path(path).read_bytes()) == []
    Path(path).unlink()


def test_a_user_without_the_payment_permission_cannot_start_it(world, db):
    from app.core.errors import DomainError
    from app.jobs.services import start_job

    monitor = make_user(world.session, roles=("monitor",))
    with pytest.raises(DomainError, match="You are not allowed to prepare this file."):
        start_job(world.session, monitor, "sepa_file", {"batch_id": 1}, 1)


def test_a_large_batch_summary_pdf_is_a_job_and_a_small_one_immediate(
        app, client, login, world, db, released, inline_jobs):
    batch, _ = released
    login(world.finance)
    small = client.get(f"/reimbursement/batches/{batch.id}/summary.pdf")
    assert (small.status_code, small.mimetype) == (200, "application/pdf")
    saved = app.config["EXPORT_JOB_THRESHOLD_ROWS"]
    app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 1
    try:
        page = client.get(f"/reimbursement/batches/{batch.id}/summary.pdf")
        assert (page.status_code, page.mimetype) == (200, "text/html")
        assert "Prepare file" in page.get_data(as_text=True)
        response = client.post(f"/reimbursement/batches/{batch.id}/summary.pdf")
    finally:
        app.config["EXPORT_JOB_THRESHOLD_ROWS"] = saved
    job = db.session.scalars(select(Job)).one()
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.kind, job.status, job.rows_total, job.file_name) == (
        "payment_batch_pdf", "ready", 2, f"{batch.message_id}.pdf")
    download = client.get(f"/jobs/{job.id}/download")
    assert (download.mimetype, download.data[:5]) == ("application/pdf", b"%PDF-")
