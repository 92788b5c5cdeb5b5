"""Two application servers behind one PostgreSQL, Redis and S3 stand-in (moto) share the work."""

import hashlib
import io
import re
import time

import requests
from huey import RedisHuey
from sqlalchemy import select

from app.extensions import db
from app.files.services import object_key
from app.jobs.heartbeat import HEARTBEAT_KEY
from app.reimbursement.models import Claim
from tests.factories import PASSWORD
from tests.reimbursement.factories import World, jpeg_bytes
from tests.services import form_token, log_in


def test_a_claim_sent_through_one_server_is_validated_and_opened_through_the_other(
        several_servers):
    a, b = several_servers.a, several_servers.b
    world = World(db.session)
    db.session.commit()

    patient = log_in(a, world.patient.email, PASSWORD)
    page = patient.get(f"{a}/my/claims/new", timeout=30).text
    token = re.search(r'name="creation_token" type="hidden" value="([^"]+)"', page).group(1)
    response = patient.post(f"{a}/my/claims/new", allow_redirects=False, timeout=30, data={
        "csrf_token": form_token(page), "creation_token": token, "period": "visit",
        "visit_id": world.visit.id})
    assert response.status_code == 302, response.text[:2000]
    claim_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = patient.get(f"{a}/my/claims/{claim_id}", timeout=30).text
    photo = jpeg_bytes()
    response = patient.post(
        f"{a}/my/claims/{claim_id}/lines", allow_redirects=False, timeout=30,
        data={"csrf_token": form_token(page), "category": "taxi", "line_date": "2026-01-24",
              "description": "Taxi to hospital", "amount": "18,40"},
        files={"receipt": ("taxi.jpg", io.BytesIO(photo), "image/jpeg")})
    assert response.status_code == 302, response.text[:2000]
    response = patient.post(f"{a}/my/claims/{claim_id}/submit", allow_redirects=False,
                            timeout=30, data={"csrf_token": form_token(page),
                                              "declaration": "y"})
    assert response.status_code == 302

    db.session.rollback()
    claim = db.session.get(Claim, claim_id)
    assert claim.status == "submitted"
    line = claim.lines[0]
    receipt = line.receipts[0]
    stored = receipt.file
    storage = several_servers.app.extensions["ensayo_storage"]
    assert storage.kind == "s3"
    in_bucket = storage.read(object_key(stored.storage_key))  # in S3, under its final key
    assert hashlib.sha256(in_bucket).hexdigest() == stored.sha256

    site = log_in(b, world.site_user.email, PASSWORD)
    page = site.get(f"{b}/reimbursement/claims/{claim_id}", timeout=30).text
    assert claim.reference in page
    response = site.post(f"{b}/reimbursement/claims/{claim_id}/validate",
                         allow_redirects=False, timeout=30, data={
                             "csrf_token": form_token(page), f"decision_{line.id}": "approved"})
    assert response.status_code == 302, response.text[:2000]
    opened = site.get(f"{b}/reimbursement/claims/{claim_id}/receipts/{receipt.id}", timeout=30)
    assert opened.status_code == 200
    assert opened.headers["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(opened.content).hexdigest() == stored.sha256
    db.session.rollback()
    assert db.session.scalar(select(Claim.status).where(Claim.id == claim_id)) == "validated"

    # The patient's session cookie works on the other server too (one SECRET_KEY, no
    # server-side session state).
    mine = patient.get(f"{b}/my/claims/{claim_id}/receipts/{receipt.id}", timeout=30)
    assert hashlib.sha256(mine.content).hexdigest() == stored.sha256


def test_both_servers_read_one_consumer_heartbeat_from_redis(several_servers):
    queue = RedisHuey("ensayo", url=several_servers.redis.url)
    queue.put(HEARTBEAT_KEY, time.time())
    for server in (several_servers.a, several_servers.b):
        report = requests.get(f"{server}/healthz", timeout=30).json()
        assert report["status"] == "ok", report
        assert report["checks"]["storage"] == {"ok": True, "kind": "s3"}
    queue.get(HEARTBEAT_KEY)
    report = requests.get(f"{several_servers.a}/healthz", timeout=30)
    assert (report.status_code, report.json()["down"]) == (503, ["jobs"])


def test_an_export_started_on_one_server_is_downloaded_from_the_other(several_servers):
    """The job row is in PostgreSQL, the queue in Redis and the file in S3: any server serves."""
    import io as _io
    import signal
    import subprocess
    import sys

    from openpyxl import load_workbook

    from app.files.services import read_bytes
    from app.jobs.models import Job
    from tests.dbsetup import ROOT
    from tests.factories import make_user

    a, b = several_servers.a, several_servers.b
    user = make_user(db.session, roles=("logistics",))
    db.session.commit()
    browser = log_in(a, user.email, PASSWORD)
    page = browser.get(f"{a}/audit/", timeout=30).text
    response = browser.post(f"{a}/audit/export.xlsx", allow_redirects=False, timeout=30,
                            data={"csrf_token": form_token(page)})
    assert response.status_code == 302, response.text[:2000]
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.queue.huey", "-w", "1",
         "-k", "thread"], cwd=ROOT, env=several_servers.env, stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "instance" / "consumer-servers.log", "w"))  # noqa: SIM115
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline:
            status = browser.get(f"{b}/jobs/{job_id}/progress", timeout=30).json()
            if status["done"]:
                break
            time.sleep(0.3)
    finally:
        consumer.send_signal(signal.SIGINT)  # Huey's graceful stop: the task finishes first
        consumer.wait(timeout=60)
    assert status["status"] == "ready", status
    db.session.rollback()
    job = db.session.get(Job, job_id)
    assert job.status == "ready"

    downloaded = browser.get(f"{b}/jobs/{job_id}/download", timeout=30)
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == job.sha256 == job.file.sha256
    sheet = load_workbook(_io.BytesIO(downloaded.content), read_only=True).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == job.rows_total > 0
    assert read_bytes(job.file) == downloaded.content

    other = make_user(db.session, roles=("logistics",))
    db.session.commit()
    stranger = log_in(b, other.email, PASSWORD)
    assert stranger.get(f"{b}/jobs/{job_id}/download", timeout=30,
                        allow_redirects=False).status_code == 404
