"""The screens end to end on the test client: board, flow, logger upload, receipt, PDFs."""

import io
import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.shipments.models import Shipment
from tests.factories import PASSWORD
from tests.shipments.factories import journey_started, sample_logger

SAMPLE = sample_logger()  # the README's sample, moved to two days ago


def post_ok(client, url, data=None, **kwargs):
    response = client.post(url, data=data or {}, follow_redirects=True, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def hidden(page, name):
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', page)
    return match.group(1) if match else ""


def upload_logger(client, url, data, filename="lg.csv", **fields):
    """Read the file into the preview, then store it; return (preview page, stored page)."""
    fields = {"logger_serial": "LG-2041", "timezone": "UTC", **fields}
    preview = post_ok(client, url, {"file": (io.BytesIO(data), filename), **fields},
                      content_type="multipart/form-data")
    assert "Preview: nothing is stored yet" in preview, preview
    stored = post_ok(client, url, {**fields, "action": "store",
                                   **{n: hidden(preview, n) for n in
                                      ("staged", "staged_name", "previewed")}})
    return preview, stored


def create_via_form(client, world):
    response = client.post("/shipments/new", data={
        "trial_id": world.trial.id, "kind": "resupply", "origin_id": f"L{world.depot.id}",
        "destination_id": f"S{world.site.id}", "subject_id": 0, "requested_kits": 3,
        "expected_arrival": (clock.today() + timedelta(days=3)).isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def dispatched_via_screens(client, login, db, world):
    login(world.logistics)
    sid = create_via_form(client, world)
    base = f"/shipments/{sid}"
    assert "kits proposed" in post_ok(client, f"{base}/order")
    shipment = db.session.get(Shipment, sid)
    for line in shipment.lines:
        assert "picked" in post_ok(client, f"{base}/pick", {"kit_number": line.kit.kit_number})
    post_ok(client, f"{base}/finish-picking")
    post_ok(client, f"{base}/pack", {"boxes": 2, "logger_ids": "LG-2041"})
    page = post_ok(client, f"{base}/dispatch", {
        "courier": "World Courier", "tracking_number": "9" * 500,
        "expected_arrival": clock.today().isoformat(), "logger_ids": "LG-2041"})
    assert "Field cannot be longer than 60 characters" in page
    db.session.expire_all()
    assert db.session.get(Shipment, sid).status == "packed"
    page = post_ok(client, f"{base}/dispatch", {
        "courier": "World Courier", "tracking_number": "1Z12345",
        "expected_arrival": clock.today().isoformat(), "logger_ids": "LG-2041"})
    assert "in transit" in page
    journey_started(db.session, db.session.get(Shipment, sid))  # packed three days ago
    db.session.commit()
    return sid


def test_coordinator_and_site_and_qa_walk_the_whole_flow(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    base = f"/shipments/{sid}"
    login(world.site_user)
    page = post_ok(client, f"{base}/logger", {
        "file": (io.BytesIO(SAMPLE.replace(b"20:00:00Z,11.0", b"20:00:00Z,hot")), "lg.csv"),
        "logger_serial": "LG-2041", "timezone": "UTC"}, content_type="multipart/form-data")
    assert "Line 147:" in page and "not a temperature" in page
    _preview, page = upload_logger(client, f"{base}/logger", SAMPLE)
    assert ("Logger data stored: 360 readings, 2 excursions, 65.0 minutes out of range. "
            "Logistics and QA have been told.") in page
    shipment = db.session.get(Shipment, sid)
    chart = client.get(f"{base}/logger/{shipment.logger_uploads[0].id}/chart.json").get_json()
    assert chart["low"] == 2.0 and chart["high"] == 8.0 and len(chart["excursions"]) == 2
    # A number no kit has is a typing slip: refused, no discrepancy for logistics to chase.
    assert "No kit has the number NOT-SHIPPED" in post_ok(
        client, f"{base}/receive/scan", {"kit_number": "NOT-SHIPPED", "outcome": "ok"})
    assert db.session.get(Shipment, sid).open_discrepancies in (0, None)
    for line in shipment.lines:
        post_ok(client, f"{base}/receive/scan", {"kit_number": line.kit.kit_number,
                                                 "outcome": "ok"})
    page = post_ok(client, f"{base}/receive", {
        "meaning": "received", "password": PASSWORD, "confirm": "y", "logger_confirmed": "y"})
    assert "Receipt signed: 3 kits received" in page
    assert "already been received" in post_ok(client, f"{base}/receive", {
        "meaning": "received", "password": PASSWORD, "confirm": "y", "logger_confirmed": "y"})
    db.session.expire_all()
    shipment = db.session.get(Shipment, sid)
    assert shipment.qa_pending and {li.kit.state for li in shipment.lines} == {"quarantined"}
    login(world.qp)
    page = client.get(base).get_data(as_text=True)
    assert "QA decision on quarantined kits" in page
    page = post_ok(client, f"{base}/decide", {
        "meaning": "qa", "kits": [li.id for li in shipment.lines], "decision": "rejected",
        "reason": "Above 8 °C for too long", "password": PASSWORD, "confirm": "y"})
    assert "3 kits rejected" in page
    db.session.expire_all()
    assert {li.kit.state for li in db.session.get(Shipment, sid).lines} == {
        "pending_destruction"}
    pod = client.get(f"{base}/proof-of-delivery.pdf")
    assert pod.status_code == 200 and pod.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = pdftotext(pod.data)
        assert "Received" in text and "LG-2041" in text and shipment.number in text
        assert "Rejected" in text  # the QA decision's signature is in the manifest


def pdftotext(data):
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_packing_list_and_label_with_a_readable_barcode(client, login, db, world, tmp_path):
    sid = dispatched_via_screens(client, login, db, world)
    shipment = db.session.get(Shipment, sid)
    packing = client.get(f"/shipments/{sid}/packing-list.pdf")
    assert packing.status_code == 200
    if shutil.which("pdftotext"):
        text = pdftotext(packing.data)
        assert world.lot.number in text and "LG-2041" in text and "Store at 2 to 8" in text
        for line in shipment.lines:
            assert line.kit.kit_number in text
    label = client.get(f"/shipments/{sid}/label.pdf")
    assert label.status_code == 200
    if os.environ.get("CI") or (shutil.which("zbarimg") and shutil.which("pdftoppm")):
        (tmp_path / "label.pdf").write_bytes(label.data)
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1",
                        str(tmp_path / "label.pdf"), str(tmp_path / "page")], check=True)
        image = next(tmp_path.glob("page*.png"))
        out = subprocess.run(["zbarimg", "-q", str(image)], capture_output=True).stdout
        assert f"CODE-128:{shipment.number}".encode() in out


def test_board_filters_and_excel_export(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    number = db.session.get(Shipment, sid).number
    page = client.get("/shipments/?status=shipped").get_data(as_text=True)
    assert number in page
    assert number not in client.get("/shipments/?status=draft").get_data(as_text=True)
    assert number not in client.get("/shipments/?problem=overdue").get_data(as_text=True)
    export = client.get("/shipments/export.xlsx?status=shipped")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Shipment" and rows[1][0] == number and rows[1][12] == "1Z12345"


def test_overdue_shipments_are_flagged(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    from datetime import UTC, datetime

    from sqlalchemy import update

    db.session.execute(update(Shipment).where(Shipment.id == sid).values(
        dispatched_at=datetime.now(UTC) - timedelta(days=9)))
    db.session.commit()
    page = client.get("/shipments/?problem=overdue").get_data(as_text=True)
    assert db.session.get(Shipment, sid).number in page and "Overdue" in page


def test_site_users_see_only_their_sites_shipments(client, login, db, world, make):
    from tests.factories import make_user

    sid = dispatched_via_screens(client, login, db, world)
    stranger = make_user(db.session, roles=("site",), sites=[make.site(world.trial)])
    db.session.commit()
    login(stranger)
    assert client.get(f"/shipments/{sid}").status_code == 404
    assert client.get(f"/shipments/{sid}/packing-list.pdf").status_code == 404
    login(world.site_user)
    assert client.get(f"/shipments/{sid}").status_code == 200
    assert client.post(f"/shipments/{sid}/order").status_code == 403


def test_forty_megabyte_logger_file_gets_a_message_not_a_500(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    big = b"timestamp,temperature\n" + b"2026-03-01 10:00:00,4.0\n" * (40 * 1024 * 1024 // 24)
    response = client.post(f"/shipments/{sid}/logger", data={
        "file": (io.BytesIO(big), "huge.csv"), "logger_serial": "LG-2041", "timezone": "UTC"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "larger than 10 MB" in response.get_data(as_text=True)


def test_other_formats_are_refused_with_a_message(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    for payload, expected in ((b"%PDF-1.4 binary\x00\x01", "neither text"),
                              (b'{"t": 1}', "looks like JSON"),
                              (b"when;what\n1;2\n", "No timestamp column")):
        response = client.post(f"/shipments/{sid}/logger", data={
            "file": (io.BytesIO(payload), "x.csv"), "logger_serial": "LG-1",
            "timezone": "UTC"}, content_type="multipart/form-data")
        assert response.status_code == 200 and expected in response.get_data(as_text=True)


def test_patient_address_only_for_roles_allowed_to_see_identity(client, login, db, world,
                                                                make):
    from app.shipments.services.orders import create_shipment

    subject = make.subject(world.site, identity={
        "full_name": "Ana Pérez", "address": "Calle Mayor 1", "city": "Madrid"})
    shipment = create_shipment(db.session, trial=world.trial, kind="patient",
                               origin=world.depot, destination=world.site_loc,
                               requested_kits=1, subject=subject,
                               expected_arrival=clock.today(), by=world.logistics)
    db.session.commit()
    login(world.logistics)
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert "Calle Mayor" not in page and "shown only to roles" in page
    login(world.site_user)
    assert "Calle Mayor 1" in client.get(f"/shipments/{shipment.id}").get_data(as_text=True)


def test_resupply_needs_become_draft_shipments(client, login, db, world):
    from app.stock.api import save_resupply_level

    with client.application.test_request_context():
        save_resupply_level(db.session, world.site, 2, 5)
    db.session.commit()
    login(world.logistics)
    page = client.get("/shipments/resupply").get_data(as_text=True)
    assert world.site.hospital in page
    page = post_ok(client, "/shipments/resupply", {"depot_id": world.depot.id,
                                                   "sites": [world.site.id]})
    assert "1 draft shipments created" in page
    draft = db.session.scalar(select(Shipment).where(Shipment.status == "draft"))
    assert draft.requested_kits == 5 and draft.kind == "resupply"
    page = post_ok(client, "/shipments/resupply", {"depot_id": world.depot.id,
                                                   "sites": [world.site.id]})
    assert "already bring each to its maximum" in page


@pytest.mark.parametrize("role", ["monitor", "qp", "admin"])
def test_read_only_roles_see_the_board_but_cannot_order(client, login_as, role):
    login_as(role)
    assert client.get("/shipments/").status_code == 200
    assert client.get("/shipments/new").status_code == 403


def test_site_user_sees_the_dispatch_notice_on_the_board(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    number = db.session.get(Shipment, sid).number
    login(world.site_user)
    page = client.get("/shipments/").get_data(as_text=True)
    assert "Your notices" in page and f"Shipment {number} is on its way" in page
    post_ok(client, "/shipments/notices/read")
    assert "Your notices" not in client.get("/shipments/").get_data(as_text=True)


def test_direct_to_patient_order_is_accounted_to_the_subjects_site(client, login, db, world,
                                                                     make):
    subject = make.subject(world.site)
    db.session.commit()
    login(world.logistics)
    response = client.post("/shipments/new", data={
        "trial_id": world.trial.id, "kind": "patient", "origin_id": f"L{world.depot.id}",
        "destination_id": f"L{world.depot.id}", "subject_id": subject.id, "requested_kits": 1,
        "expected_arrival": clock.today().isoformat()})
    assert response.status_code == 302
    shipment = db.session.scalar(select(Shipment).where(Shipment.kind == "patient"))
    assert shipment.subject_id == subject.id and shipment.destination_id == world.site_loc.id


def test_new_shipment_form_reports_a_wrong_route(client, login, db, world):
    login(world.logistics)
    response = client.post("/shipments/new", data={
        "trial_id": world.trial.id, "kind": "return", "origin_id": f"L{world.depot.id}",
        "destination_id": f"S{world.site.id}", "subject_id": 0, "requested_kits": 1,
        "expected_arrival": clock.today().isoformat()})
    assert response.status_code == 200
    assert "A return goes from a site to a depot." in response.get_data(as_text=True)
    assert db.session.scalar(select(Shipment.id)) is None


def test_wrong_password_on_the_receipt_screen_is_kept_and_nothing_received(client, login, db,
                                                                           world):
    from app.audit.models import AuditEntry

    sid = dispatched_via_screens(client, login, db, world)
    base = f"/shipments/{sid}"
    login(world.site_user)
    upload_logger(client, f"{base}/logger", SAMPLE)
    page = post_ok(client, f"{base}/receive", {
        "meaning": "received", "password": "wrong", "confirm": "y", "logger_confirmed": "y"})
    assert "3 kits will be recorded as missing. Scan them, or confirm" in page
    page = post_ok(client, f"{base}/receive", {
        "meaning": "received", "password": "wrong", "confirm": "y", "logger_confirmed": "y",
        "missing_confirmed": "y"})
    assert "password is not correct" in page
    db.session.expire_all()
    assert db.session.get(Shipment, sid).status == "shipped"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "signature_failed"))
    assert number_on(client, "/shipments/?problem=excursion", db, sid)


def number_on(client, url, db, sid):
    return db.session.get(Shipment, sid).number in client.get(url).get_data(as_text=True)
