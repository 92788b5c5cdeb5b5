"""The whole journey over HTTP: collection to infusion, scanned and signed; a mismatch caught."""

import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.celltherapy.models import Custody, TherapyOrder
from app.esign.models import Signature
from app.notify.models import Notice
from tests.celltherapy.factories import make_world
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(db):
    world = make_world(db.session)
    db.session.commit()
    return world


def handoff(coi, document=None, **extra):
    scan = "&/" + coi
    return {"bag_scan": scan, "document_scan": document or scan, "handed_over_by": "A. Giver",
            "received_by": "B. Taker", "location": "Hospital", "condition": "intact",
            "password": PASSWORD, "confirm": "y", **extra}


def order_of(db):
    return db.session.scalars(select(TherapyOrder)).one()


def post(client, order, path, data=None, **kwargs):
    return client.post(f"/cell-therapy/orders/{order.id}/{path}", data=data or {}, **kwargs)


def test_collection_to_infusion_with_a_caught_mismatch(client, db, login, world, english):
    login(world["site_user"])
    response = client.post("/cell-therapy/orders/new", data={
        "subject_id": world["subject"].id, "product_kind": "car_t",
        "collection_date": "2026-11-02", "manufacturing_slot": "2026-11-04"})
    assert response.status_code == 302
    order = order_of(db)
    assert post(client, order, "collect", {"bag_ids": "AF-1, AF-2", "volume_ml": "245",
                                           "cell_count": "3e9"}).status_code == 302
    db.session.refresh(order)
    coi = order.coi
    assert order.status == "collected" and len(coi) == 15 and coi.startswith("CHA9998")
    assert post(client, order, "ship-to-lab", handoff(coi, condition="cool", courier="WC",
                                                      temperature_c="5")).status_code == 302

    login(world["lab"])
    other = "&/" + coi[:-1] + ("9" if coi[-1] != "9" else "8")
    refused = post(client, order, "receive-at-lab", handoff(coi, document=other))
    assert refused.status_code == 422
    assert f"is not this order&#39;s identifier ({coi}). The step is blocked" in \
        refused.get_data(as_text=True)
    db.session.expire_all()
    assert order_of(db).status == "to_lab"
    assert db.session.scalar(select(func.count(Custody.id))) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "coi_mismatch")) == 1
    assert db.session.scalar(select(func.count(Notice.id)).where(
        Notice.user_id == world["qp"].id)) == 1

    assert post(client, order, "receive-at-lab", handoff(coi)).status_code == 302
    page = client.get(f"/cell-therapy/orders/{order.id}").get_data(as_text=True)
    assert world["subject"].code not in page and coi in page
    assert post(client, order, "start-manufacturing").status_code == 302
    assert post(client, order, "release", {"password": PASSWORD, "confirm": "y",
                                           "coa": (io.BytesIO(PDF), "coa.pdf")},
                content_type="multipart/form-data").status_code == 302
    too_long = post(client, order, "ship-to-site", handoff(
        coi, condition="frozen", courier="WC", shipper_code="DS-TEST-1", transit_hours="300"))
    assert too_long.status_code == 422
    assert "DS-TEST-1 has 230 hours of hold time left, less than the planned transit of 300" \
        in too_long.get_data(as_text=True)
    assert post(client, order, "ship-to-site", handoff(
        coi, condition="frozen", courier="WC", shipper_code="DS-TEST-1",
        transit_hours="24")).status_code == 302

    login(world["site_user"])
    warm = post(client, order, "receive-at-site", handoff(coi, condition="frozen",
                                                          temperature_c="-120"))
    assert warm.status_code == 422
    assert post(client, order, "receive-at-site", handoff(
        coi, condition="frozen", temperature_c="-180")).status_code == 302
    assert post(client, order, "store").status_code == 302
    assert post(client, order, "thaw").status_code == 302
    assert post(client, order, "infuse", handoff(coi)).status_code == 302
    db.session.expire_all()
    order = order_of(db)
    assert order.status == "infused"
    assert order.shipper.status == "in_use" and order.shipper.uses == 1
    assert db.session.scalar(select(func.count(Custody.id))) == 5
    meanings = sorted(db.session.scalars(select(Signature.meaning)).all())
    assert meanings == ["performed", "performed", "performed", "received", "received",
                        "released"]
    timeline = client.get(f"/cell-therapy/orders/{order.id}/timeline").get_data(as_text=True)
    assert "Vein to vein:" in timeline and "Start a stay claim" in timeline
    dashboard = client.get(f"/cell-therapy/trials/{world['trial'].id}/dashboard")
    assert dashboard.status_code == 200 and "v2v-chart" in dashboard.get_data(as_text=True)
    labels = client.get(f"/cell-therapy/orders/{order.id}/labels.pdf")
    assert labels.status_code == 200 and labels.data.startswith(b"%PDF")


def test_steps_out_of_order_and_infusion_without_product_are_refused(
        client, db, login, world, english):
    login(world["site_user"])
    client.post("/cell-therapy/orders/new", data={
        "subject_id": world["subject"].id, "product_kind": "car_t",
        "collection_date": "2026-11-02", "manufacturing_slot": "2026-11-04"})
    order = order_of(db)
    response = post(client, order, "infuse", handoff("CHA99982600001X"), follow_redirects=True)
    assert "The product has not been released and received: it cannot be infused." in \
        response.get_data(as_text=True)
    response = post(client, order, "thaw", follow_redirects=True)
    assert f"{order.reference} is Collection scheduled; it cannot become Thawed." in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert order_of(db).status == "scheduled"


def test_a_subject_outside_a_cell_therapy_trial_is_refused(db, world, app, english):
    from app.celltherapy.services.orders import schedule
    from app.core.errors import DomainError
    from tests.factories import make_subject

    other = make_subject(db.session)
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        schedule(db.session, other.id, collection_date=__import__("datetime").date(2026, 1, 1),
                 manufacturing_slot=__import__("datetime").date(2026, 1, 2),
                 product_kind="car_t", by=world["site_user"])
    assert str(refused.value) == f"{other.code} is not in a cell-therapy trial."
