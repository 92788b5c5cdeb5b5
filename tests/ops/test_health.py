"""/healthz: database, job consumer heartbeat and storage as JSON; 503 naming what is down."""

import time

import pytest

from app.files.storage import LocalStorage, make_storage
from app.jobs.heartbeat import HEARTBEAT_KEY, heartbeat, record_heartbeat
from app.jobs.queue import huey


@pytest.fixture
def consumer(monkeypatch, app, tmp_path):
    """A queued (not inline) huey and a local store in a temporary folder."""
    monkeypatch.setattr(huey, "immediate", False)
    huey.get(HEARTBEAT_KEY)  # a read without peek removes the stamp
    saved = app.extensions.get("ensayo_storage")
    app.extensions["ensayo_storage"] = LocalStorage(tmp_path)
    yield
    huey.get(HEARTBEAT_KEY)
    app.extensions["ensayo_storage"] = saved


def test_all_up(client, consumer):
    record_heartbeat(time.time() - 5)
    response = client.get("/healthz")
    report = response.json
    age = report["checks"]["jobs"].pop("heartbeat_age_seconds")
    assert response.status_code == 200
    assert 5.0 <= age < 6.0
    assert report == {"status": "ok", "down": [], "checks": {
        "database": {"ok": True}, "jobs": {"ok": True}, "storage": {"ok": True,
                                                                    "kind": "local"}}}


def test_the_periodic_task_stamps_the_heartbeat(client, consumer):
    assert client.get("/healthz").json["checks"]["jobs"] == {
        "ok": False, "error": "the job consumer has never reported"}
    heartbeat.call_local()
    assert client.get("/healthz").status_code == 200


def test_a_stale_heartbeat_names_the_job_consumer(client, consumer, app):
    record_heartbeat(time.time() - app.config["JOBS_HEARTBEAT_MAX_AGE"] - 60)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["down"] == ["jobs"]
    jobs = response.json["checks"]["jobs"]
    assert (jobs["ok"], jobs["error"]) == (False, "no heartbeat for more than 180 seconds")


def test_an_unreachable_bucket_names_the_storage(client, consumer, app):
    record_heartbeat()
    app.extensions["ensayo_storage"] = make_storage({
        "STORAGE_URL": "s3://ensayo-test/files", "S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "S3_ACCESS_KEY_ID": "x", "S3_SECRET_ACCESS_KEY": "x", "S3_REGION": "us-east-1"})
    response = client.get("/healthz")
    assert (response.status_code, response.json["down"]) == (503, ["storage"])
    assert response.json["checks"]["storage"] == {
        "ok": False, "error": "the file storage cannot be reached"}


def test_inline_jobs_count_as_up(client, consumer, monkeypatch):
    monkeypatch.setattr(huey, "immediate", True)
    assert client.get("/healthz").json["checks"]["jobs"] == {"ok": True, "mode": "inline"}
