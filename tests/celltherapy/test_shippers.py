"""Dry shippers: register, charge, hold time against transit, requalification, retirement."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.celltherapy.models import DryShipper
from app.celltherapy.services import shippers
from app.core import clock
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.templating import local_date
from tests.celltherapy.factories import make_world


@pytest.fixture
def world(db):
    world = make_world(db.session)
    db.session.commit()
    return world


def refusal(app, action):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        action()
    return str(refused.value), refused.value.field


def test_a_shipper_lives_from_registration_to_retirement(client, db, login, world, english):
    login(world["lab"])
    response = client.post("/cell-therapy/shippers/new", data={
        "code": "00614141000019", "id_kind": "grai", "model_name": "CryoShipper XC",
        "static_hold_hours": "240", "qualified_until": (clock.today() + timedelta(days=60))})
    shipper = db.session.scalar(select(DryShipper).where(DryShipper.code == "00614141000019"))
    assert response.status_code == 302 and shipper.status == "available"
    base = f"/cell-therapy/shippers/{shipper.id}"
    assert client.post(base + "/charge", data={"record": "11.2 kg LN2"}).status_code == 302
    db.session.refresh(shipper)
    assert shipper.status == "charged" and shipper.charge_record == "11.2 kg LN2"
    shipper.status = "in_use"  # as a dispatch would leave it
    db.session.commit()
    assert client.post(base + "/return").status_code == 302
    again = client.post(base + "/charge", data={"record": "x"}, follow_redirects=True)
    assert "is Waiting for requalification; it cannot become Charged" in \
        again.get_data(as_text=True)
    assert client.post(base + "/requalify", data={
        "qualified_until": (clock.today() + timedelta(days=180)).isoformat()}).status_code == 302
    assert client.post(base + "/retire", data={"reason": "Vacuum lost"}).status_code == 302
    db.session.refresh(shipper)
    assert shipper.status == "retired" and shipper.retired_at is not None
    page = client.get(base).get_data(as_text=True)
    assert "Retired" in page
    assert client.get("/cell-therapy/shippers?status=retired&q=0061").status_code == 200


def test_a_bad_grai_and_a_duplicate_are_refused(app, db, world, english):
    assert refusal(app, lambda: shippers.register(
        db.session, code="12345", id_kind="grai", model_name="X", static_hold_hours=10,
        qualified_until=clock.today())) == (
        "A GRAI is 14 digits (and an optional serial of up to 16 digits).", "code")
    assert refusal(app, lambda: shippers.register(
        db.session, code="ds-test-1", id_kind="serial", model_name="X", static_hold_hours=10,
        qualified_until=clock.today())) == ("A dry shipper DS-TEST-1 exists already.", "code")


def test_dispatch_refuses_overdue_uncharged_and_short_hold(app, db, world, english):
    shipper = world["shipper"]
    now = utcnow()
    assert refusal(app, lambda: shippers.dispatch_shipper(
        db.session, "DS-TEST-1", 231, world["lab"], now=now))[0] == (
        "Dry shipper DS-TEST-1 has 230 hours of hold time left, less than the planned transit "
        "of 231 hours. Recharge it or use another.")
    shipper.qualified_until = clock.today() - timedelta(days=1)
    assert refusal(app, lambda: shippers.dispatch_shipper(
        db.session, "DS-TEST-1", 24, world["lab"], now=now)) == (
        f"Dry shipper DS-TEST-1 is overdue for requalification (qualified until "
        f"{local_date(shipper.qualified_until)}).", "shipper_code")
    shipper.qualified_until = clock.today() + timedelta(days=10)
    shipper.status = "available"
    assert refusal(app, lambda: shippers.dispatch_shipper(
        db.session, "DS-TEST-1", 24, world["lab"], now=now))[0] == (
        "Dry shipper DS-TEST-1 is Available: charge it before use.")
    assert refusal(app, lambda: shippers.dispatch_shipper(
        db.session, "NOPE", 24, world["lab"], now=now))[0] == (
        "No dry shipper has the number NOPE.")
