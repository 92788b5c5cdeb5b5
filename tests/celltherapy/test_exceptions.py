"""Exceptions: out of specification released with consent, failed manufacture, re-collection."""

from datetime import date

import pytest
from sqlalchemy import select

from app.celltherapy.models import TherapyOrder
from app.esign.models import Signature
from tests.celltherapy.factories import make_world
from tests.factories import PASSWORD


@pytest.fixture
def manufacturing(db):
    world = make_world(db.session)
    order = TherapyOrder(trial_id=world["trial"].id, site_id=world["site"].id,
                         subject_id=world["subject"].id, coi="CHA999826000900",
                         status="manufacturing", collection_date=date(2026, 11, 1),
                         manufacturing_slot=date(2026, 11, 2))
    db.session.add(order)
    db.session.commit()
    return world, order


def test_out_of_spec_is_released_only_with_the_physicians_consent(
        client, db, login, manufacturing, english):
    world, order = manufacturing
    login(world["lab"])
    assert client.post(f"/cell-therapy/orders/{order.id}/out-of-spec", data={
        "reason": "Viability 68 % (spec ≥ 70 %)"}).status_code == 302
    login(world["site_user"])
    missing = client.post(f"/cell-therapy/orders/{order.id}/release-by-exception", data={
        "physician_consent": "", "reason": "No alternative", "password": PASSWORD,
        "confirm": "y"})
    assert missing.status_code == 422
    assert client.post(f"/cell-therapy/orders/{order.id}/release-by-exception", data={
        "physician_consent": "Dr. Urbano, 2026-11-20", "reason": "No alternative therapy",
        "password": PASSWORD, "confirm": "y"}).status_code == 302
    db.session.refresh(order)
    assert (order.status, order.physician_consent, order.out_of_spec_reason) == (
        "released", "Dr. Urbano, 2026-11-20", "Viability 68 % (spec ≥ 70 %)")
    assert db.session.scalars(select(Signature.meaning)).all() == ["approved"]


def test_a_failed_manufacture_is_recollected_under_the_same_identifier(
        client, db, login, manufacturing, english):
    world, order = manufacturing
    login(world["lab"])
    assert client.post(f"/cell-therapy/orders/{order.id}/fail", data={
        "reason": "Expansion failed"}).status_code == 302
    login(world["site_user"])
    assert client.post(f"/cell-therapy/orders/{order.id}/recollect", data={
        "reason": "Second apheresis", "collection_date": "2026-12-01"}).status_code == 302
    db.session.refresh(order)
    assert (order.status, order.collection_number, order.coi, order.collection_date) == (
        "scheduled", 2, "CHA999826000900", date(2026, 12, 1))


def test_the_lab_sees_identifiers_never_subjects(client, db, login, manufacturing, english):
    world, order = manufacturing
    login(world["lab"])
    for url in ("/cell-therapy/orders", f"/cell-therapy/orders/{order.id}",
                f"/cell-therapy/orders/{order.id}/timeline"):
        page = client.get(url).get_data(as_text=True)
        assert "CHA999826000900" in page and world["subject"].code not in page, url
    login(world["site_user"])
    assert world["subject"].code in client.get("/cell-therapy/orders").get_data(as_text=True)


def test_a_stay_claim_starts_with_the_dates_prefilled(client, db, login, manufacturing):
    from app.reimbursement.models import PatientLink
    from tests.factories import make_user

    world, _order = manufacturing
    carer = make_user(db.session, roles=("patient",))
    db.session.add(PatientLink(user_id=carer.id, subject_id=world["subject"].id,
                               relation="caregiver"))
    db.session.commit()
    login(world["site_user"])
    page = client.get(f"/reimbursement/subjects/{world['subject'].id}?period=stay"
                      "&stay_start=2026-11-10&stay_end=2026-12-08").get_data(as_text=True)
    assert 'value="2026-11-10"' in page and 'value="2026-12-08"' in page
