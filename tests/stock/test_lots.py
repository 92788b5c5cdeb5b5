"""The lot machine: a lot's status changes only through declared events, each with a reason."""

import json

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError
from app.stock.models import Lot
from app.stock.services.catalog import change_lot_status
from app.stock.states import LOT


def lot_audit(db, lot):
    db.session.commit()  # audit entries are chained and written at commit
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "lot", AuditEntry.entity_id == str(lot.id),
        AuditEntry.action.like("lot_%")).order_by(AuditEntry.id)).all()


def test_the_lot_machine_is_declared_as_data():
    assert LOT.targets_from("quarantine") == ["certified", "expired", "rejected"]
    assert LOT.targets_from("certified") == ["expired", "quarantine", "rejected", "released"]
    assert LOT.targets_from("released") == ["expired", "quarantine", "recalled"]
    assert LOT.targets_from("recalled") == ["expired", "rejected", "released"]
    assert LOT.targets_from("rejected") == [] and LOT.targets_from("expired") == []
    # Release is no free edit: the QP certifies (signed), a release for a country releases.
    signed = [(t.source, t.event, t.target, t.permission, t.signature)
              for t in LOT.transitions if not t.permission.startswith("stock.")]
    assert signed == [("quarantine", "certify", "certified", "labelling.certify", "certified"),
                      ("certified", "release", "released", "labelling.release", None)]
    assert all(t.reason for t in LOT.transitions
               if t.source is not None and t.permission == "stock.manage")


def test_a_new_lot_is_registered_only_in_quarantine_or_released(db, stock):
    from datetime import timedelta

    from app.stock.services.catalog import create_lot

    product = stock.make_product()
    data = dict(number="NEW-1", product_id=product.id, expires_on=clock.today() + timedelta(99))
    with pytest.raises(DomainError) as refused:
        create_lot(db.session, {**data, "status": "recalled"})
    assert (str(refused.value), refused.value.field) == (
        "A new lot is registered in quarantine or already released.", "status")
    assert create_lot(db.session, data).status == "quarantine"


def test_a_recall_changes_the_status_and_writes_its_audit_entry(db, stock):
    lot = stock.make_lot(number="REC-1", status="released")
    step = change_lot_status(db.session, lot, "recall", reason="sponsor recall")
    assert (step.source, step.event, step.target) == ("released", "recall", "recalled")
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).status == "recalled"
    [entry] = lot_audit(db, lot)
    assert entry.action == "lot_recall" and entry.reason == "sponsor recall"
    assert json.loads(entry.changes) == {"status": ["released", "recalled"]}
    assert entry.entity_label == "Lot REC-1"


@pytest.mark.parametrize("status,event,message", [
    ("rejected", "release", "Lot L-RF is Rejected; nothing more can happen to it."),
    ("released", "release", "Lot L-RF is already Released."),
    ("quarantine", "recall", "Lot L-RF is Quarantine; it cannot become Recalled."),
    ("released", "explode", "Lot L-RF is Released; this cannot be done to it."),
])
def test_a_refused_lot_event_says_why_in_plain_words(db, stock, status, event, message):
    lot = stock.make_lot(number="L-RF", status=status)
    with pytest.raises(DomainError) as refused:
        change_lot_status(db.session, lot, event, reason="because")
    assert str(refused.value) == message
    assert lot.status == status and lot_audit(db, lot) == []


def test_a_lot_event_needs_a_reason_and_the_permission(db, make, stock):
    lot = stock.make_lot(status="recalled")
    with pytest.raises(DomainError) as refused:
        change_lot_status(db.session, lot, "release", reason="  ")
    assert (str(refused.value), refused.value.field) == ("Give a reason.", "reason")
    monitor = make.user(roles=("monitor",))
    with pytest.raises(DomainError, match="You are not allowed to do this to Lot"):
        change_lot_status(db.session, lot, "release", reason="Recall withdrawn", by=monitor)
    assert lot.status == "recalled"
    logistics = make.user(roles=("logistics",))
    change_lot_status(db.session, lot, "release", reason="Recall withdrawn", by=logistics)
    assert lot.status == "released"
    quarantined = stock.make_lot(status="quarantine")
    with pytest.raises(DomainError, match="You are not allowed to do this to Lot"):
        change_lot_status(db.session, quarantined, "certify", reason="x", by=logistics)


def test_a_stale_lot_loses_to_the_one_who_changed_it_first(db, stock):
    lot = stock.make_lot(status="released")
    db.session.execute(update(Lot).where(Lot.id == lot.id).values(status="recalled")
                       .execution_options(synchronize_session=False))
    with pytest.raises(DomainError, match="changed by someone else"):
        change_lot_status(db.session, lot, "expire", reason="expired")


def test_the_lot_page_offers_only_the_events_allowed_now(client, db, stock, login_as):
    released = stock.make_lot(status="released")
    rejected = stock.make_lot(status="rejected")
    db.session.commit()
    login_as("logistics")
    page = client.get(f"/stock/lots/{released.id}").get_data(as_text=True)
    assert 'value="recall"' in page and 'value="hold"' in page
    assert 'value="release"' not in page and 'value="reject"' not in page
    page = client.get(f"/stock/lots/{rejected.id}").get_data(as_text=True)
    assert "Change the status" not in page
    response = client.post(f"/stock/lots/{released.id}", data={"event": "reject",
                                                               "reason": "bad batch"})
    assert response.status_code == 200 and b"Not a valid choice" in response.data
    assert b"bad batch" in response.data  # what was typed is kept
    response = client.post(f"/stock/lots/{released.id}", data={"event": "hold",
                                                               "reason": "deviation"})
    assert response.status_code == 302
    db.session.refresh(released)
    assert released.status == "quarantine"


def test_a_user_without_stock_manage_cannot_change_a_lot(client, db, stock, login_as):
    lot = stock.make_lot(status="released")
    db.session.commit()
    login_as("qp")
    assert client.get(f"/stock/lots/{lot.id}").status_code == 200
    response = client.post(f"/stock/lots/{lot.id}", data={"event": "recall", "reason": "x"})
    assert response.status_code == 403
    db.session.refresh(lot)
    assert lot.status == "released"
