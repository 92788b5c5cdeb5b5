"""Chain of condition: the shared logger reader at -196 °C, excursions and the QA decision."""

import io

import pytest
from sqlalchemy import select

from app.celltherapy.models import ConditionLeg, TherapyOrder
from app.notify.models import Notice
from tests.celltherapy.factories import make_world
from tests.factories import PASSWORD


def csv(values):
    lines = ["timestamp,temperature"] + [
        f"2026-11-10T{8 + i // 60:02d}:{i % 60:02d}:00Z,{v}" for i, v in enumerate(values)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def shipped(db):
    world = make_world(db.session)
    order = TherapyOrder(trial_id=world["trial"].id, site_id=world["site"].id,
                         subject_id=world["subject"].id, coi="CHA999826000777",
                         status="to_site", collection_date=__import__("datetime").date(2026, 11, 1),
                         manufacturing_slot=__import__("datetime").date(2026, 11, 2))
    db.session.add(order)
    db.session.commit()
    return world, order


def attach(client, order, values):
    return client.post(f"/cell-therapy/orders/{order.id}/logger", data={
        "leg": "to_site", "serial": "LG-1", "file": (io.BytesIO(csv(values)), "leg.csv")},
        content_type="multipart/form-data", follow_redirects=True)


def test_cryogenic_readings_down_to_minus_196_are_read_without_excursion(
        client, db, login, shipped, english):
    world, order = shipped
    login(world["lab"])
    page = attach(client, order, [-196.0, -190.5, -185.0])
    assert "Logger data attached: no excursion." in page.get_data(as_text=True)
    leg = db.session.scalars(select(ConditionLeg)).one()
    assert (leg.readings, float(leg.min_c), float(leg.max_c), leg.qa_status) == \
        (3, -196.0, -185.0, "none")


def test_an_excursion_waits_for_qa_and_blocks_the_infusion(client, db, login, shipped, english):
    world, order = shipped
    login(world["lab"])
    page = attach(client, order, [-190, -140, -120, -185])
    assert "Logger data attached: an excursion waits for QA." in page.get_data(as_text=True)
    leg = db.session.scalars(select(ConditionLeg)).one()
    assert (leg.qa_status, float(leg.max_c), float(leg.minutes_out)) == ("pending", -120.0, 2.0)
    assert db.session.query(Notice).filter_by(user_id=world["qp"].id).count() == 1
    order.status, order.released_at, order.received_at = "thawed", leg.uploaded_at, leg.uploaded_at
    db.session.commit()
    login(world["site_user"])
    blocked = client.post(f"/cell-therapy/orders/{order.id}/infuse", data={
        "bag_scan": "&/" + order.coi, "document_scan": "&/" + order.coi,
        "handed_over_by": "A", "received_by": "B", "location": "C", "condition": "intact",
        "password": PASSWORD, "confirm": "y"})
    assert blocked.status_code == 422
    assert ("Infusion waits: a temperature excursion on the leg “Product to the hospital” "
            "needs a QA decision first.") in blocked.get_data(as_text=True)
    login(world["qp"])
    decided = client.post(f"/cell-therapy/orders/{order.id}/legs/{leg.id}/decide", data={
        "decision": "accept", "reason": "Stability data cover 2 minutes at -120 °C",
        "password": PASSWORD, "confirm": "y"})
    assert decided.status_code == 302
    db.session.refresh(leg)
    assert leg.qa_status == "accepted" and leg.qa_by_id == world["qp"].id


def test_a_file_the_reader_refuses_saves_nothing(client, db, login, shipped, english):
    world, order = shipped
    login(world["lab"])
    page = attach(client, order, ["warm", -190])
    assert page.status_code == 422
    assert "line 2: “warm” is not a temperature." in page.get_data(as_text=True)
    assert db.session.scalars(select(ConditionLeg)).all() == []
