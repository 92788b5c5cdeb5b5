"""A refused form comes back with what was typed and each message beside its field."""

import io
import re

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core import clock
from app.shipments.models import QaDecision, Shipment
from tests.factories import PASSWORD
from tests.shipments.test_views import (
    SAMPLE,
    create_via_form,
    dispatched_via_screens,
    post_ok,
    upload_logger,
)


def field_error(page, field_id):
    """Return the message shown under a field, or None."""
    found = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', page)
    return found.group(1) if found else None


def packed_via_screens(client, login, db, world, logger_ids=""):
    login(world.logistics)
    sid = create_via_form(client, world)
    base = f"/shipments/{sid}"
    post_ok(client, f"{base}/order")
    for line in db.session.get(Shipment, sid).lines:
        post_ok(client, f"{base}/pick", {"kit_number": line.kit.kit_number})
    post_ok(client, f"{base}/finish-picking")
    post_ok(client, f"{base}/pack", {"boxes": 2, "logger_ids": logger_ids})
    return sid


def test_dispatch_refused_by_the_rules_keeps_courier_and_tracking(client, login, db, world):
    sid = packed_via_screens(client, login, db, world)
    response = client.post(f"/shipments/{sid}/dispatch", data={
        "courier": "World Courier Iberia", "tracking_number": "1Z-KEPT-42",
        "expected_arrival": clock.today().isoformat(), "logger_ids": ""})
    assert response.status_code == 200  # shown again, not redirected
    page = response.get_data(as_text=True)
    assert field_error(page, "logger_ids").startswith("These kits travel in the cold chain")
    assert 'value="World Courier Iberia"' in page and 'value="1Z-KEPT-42"' in page
    db.session.expire_all()
    assert db.session.get(Shipment, sid).status == "packed"


def test_dispatch_refused_by_the_form_keeps_what_was_typed(client, login, db, world):
    sid = packed_via_screens(client, login, db, world, logger_ids="LG-1")
    response = client.post(f"/shipments/{sid}/dispatch", data={
        "courier": "", "tracking_number": "1Z-KEPT-43",
        "expected_arrival": clock.today().isoformat(), "logger_ids": "LG-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "courier") == "This field is required."
    assert 'value="1Z-KEPT-43"' in page


def test_a_date_in_the_past_is_shown_beside_its_field(client, login, db, world):
    sid = packed_via_screens(client, login, db, world, logger_ids="LG-1")
    response = client.post(f"/shipments/{sid}/dispatch", data={
        "courier": "C", "tracking_number": "", "logger_ids": "LG-1",
        "expected_arrival": "2000-01-01"})
    page = response.get_data(as_text=True)
    assert field_error(page, "expected_arrival") == "The expected arrival cannot be in the past."
    assert 'value="2000-01-01"' in page


def test_a_refused_button_is_flashed_on_the_page_it_came_from(client, login, db, world):
    sid = packed_via_screens(client, login, db, world, logger_ids="LG-1")
    response = client.post(f"/shipments/{sid}/close")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/shipments/{sid}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Shipment {db.session.get(Shipment, sid).number} is Packed; it cannot become " \
           "Closed." in page


def test_qa_decision_with_a_wrong_password_keeps_the_justification(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    base = f"/shipments/{sid}"
    login(world.site_user)
    upload_logger(client, f"{base}/logger", SAMPLE)
    shipment = db.session.get(Shipment, sid)
    for line in shipment.lines:
        post_ok(client, f"{base}/receive/scan", {"kit_number": line.kit.kit_number,
                                                 "outcome": "ok"})
    post_ok(client, f"{base}/receive", {"meaning": "received", "password": PASSWORD,
                                        "confirm": "y", "logger_confirmed": "y"})
    login(world.qp)
    lines = db.session.get(Shipment, sid).lines
    response = client.post(f"{base}/decide", data={
        "meaning": "qa", "kits": [lines[0].id], "decision": "rejected",
        "reason": "Stability data end at 48 h", "password": "wrong", "confirm": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "password is not correct" in field_error(page, "password")
    assert "Stability data end at 48 h</textarea>" in page
    assert f'value="{lines[0].id}" checked' in page and f'value="{lines[1].id}" >' in page
    assert 'id="decision-rejected" value="rejected" checked' in page
    assert db.session.scalar(select(func.count()).select_from(QaDecision)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "signature_failed")) == 1


def test_logger_upload_refused_keeps_the_logger_id(client, login, db, world):
    sid = dispatched_via_screens(client, login, db, world)
    login(world.site_user)
    response = client.post(f"/shipments/{sid}/logger", data={
        "file": (io.BytesIO(b"timestamp,temperature\n"), "empty.csv"),
        "logger_serial": "LG-TYPED-7", "timezone": "UTC"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "file") == "The file has a header but no readings."
    assert 'value="LG-TYPED-7"' in page


def test_resupply_refused_keeps_the_chosen_depot_and_sites(client, login, db, world):
    from app.stock.api import create_depot, save_resupply_level

    with client.application.test_request_context():
        save_resupply_level(db.session, world.site, 2, 5)
        other = create_depot(db.session, "DEP-OTHER", "Other depot")
    db.session.commit()
    login(world.logistics)
    post_ok(client, "/shipments/resupply", {"depot_id": world.depot.id,
                                            "sites": [world.site.id]})
    response = client.post("/shipments/resupply", data={"depot_id": other.id,
                                                        "sites": [world.site.id]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "already bring each to its maximum" in page
    assert f'<option value="{other.id}" selected>' in page
