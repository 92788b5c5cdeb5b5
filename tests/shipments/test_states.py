"""The declared shipment machines: what they allow, what they write in the audit trail."""

import json

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition, machines
from app.shipments.services.dispatch import dispatch_shipment
from app.shipments.services.orders import cancel_shipment
from app.shipments.services.picking import finish_picking, pick_kit, propose_kits
from app.shipments.states import SHIPMENT, SHIPMENT_KIT
from tests.shipments.factories import make_packed, make_shipment

pytestmark = pytest.mark.usefixtures("english")


def entries(db, entity_type, entity_id):
    """Return (action, label, changes, reason) of a record's committed audit entries."""
    rows = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)).all()
    return [(e.action, e.entity_label, json.loads(e.changes), e.reason) for e in rows]


def test_the_machines_are_registered_and_printable(app):
    assert {"shipment", "shipment_kit", "shipment_discrepancy"} <= set(machines())
    result = app.test_cli_runner().invoke(args=["states", "show", "shipment"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "shipment: 9 states, 12 transitions"
    assert "  packed --dispatch--> shipped  [permission shipments.manage]" in lines
    assert ("  delivered --receive--> received  [permission shipments.receive, "
            "e-signature 'received']") in lines
    assert "  draft --cancel--> cancelled  [permission shipments.manage, reason]" in lines


def test_each_step_keeps_its_audit_action_stamp_and_label(db, world):
    shipment = make_packed(db.session, world, requested=2)
    dispatch_shipment(db.session, shipment, courier="C", tracking_number="T9",
                      expected_arrival=clock.today(), by=world.logistics)
    db.session.commit()
    steps = [(action, label, changes["status"]) for action, label, changes, _r in
             entries(db, "shipment", shipment.id) if action.startswith("shipment_")]
    assert steps == [
        ("shipment_ordered", shipment.number, ["draft", "ordered"]),
        ("shipment_picked", shipment.number, ["ordered", "picked"]),
        ("shipment_packed", shipment.number, ["picked", "packed"]),
        ("shipment_shipped", shipment.number, ["packed", "shipped"]),
    ]
    shipped = entries(db, "shipment", shipment.id)[-1][2]
    assert shipped["courier"] == [None, "C"] and shipped["tracking_number"] == [None, "T9"]
    assert all((shipment.ordered_at, shipment.picked_at, shipment.packed_at,
                shipment.dispatched_at))
    line = shipment.lines[0]
    assert [e[0] for e in entries(db, "shipment_kit", line.id)] == [
        "create", "shipment_kit_picked"]
    picked = entries(db, "shipment_kit", line.id)[-1]
    assert picked[1] == f"{shipment.number} · {line.kit.kit_number}"
    assert picked[2]["status"] == ["proposed", "picked"]
    assert picked[2]["kit"] == [None, line.kit.kit_number]


def test_cancelling_writes_the_reason_on_the_cancel_entry(db, world):
    shipment = make_shipment(db.session, world)
    cancel_shipment(db.session, shipment, "  Site closed  ", by=world.logistics)
    db.session.commit()
    [entry] = [e for e in entries(db, "shipment", shipment.id) if e[0] == "shipment_cancelled"]
    assert (entry[3], entry[2]["status"]) == ("Site closed", ["draft", "cancelled"])
    assert shipment.status == "cancelled" and shipment.cancelled_at is not None


def test_unpicked_kits_are_dropped_through_the_machine(db, world):
    shipment = make_shipment(db.session, world, requested=2)
    propose_kits(db.session, shipment)
    first, second = shipment.lines
    pick_kit(db.session, shipment, first.kit.kit_number, by=world.logistics)
    finish_picking(db.session, shipment)
    db.session.commit()
    assert (second.status, second.holds) == ("dropped", False)
    action, _label, changes, _reason = entries(db, "shipment_kit", second.id)[-1]
    assert action == "shipment_kit_dropped"
    assert changes == {"status": ["proposed", "dropped"], "holds": [True, False]}
    with pytest.raises(DomainError, match="Kit .* is Dropped; nothing more can happen"):
        apply_transition(db.session, SHIPMENT_KIT, second, "pick")


def test_a_transition_needing_a_signature_is_refused_without_one(db, world):
    shipment = make_packed(db.session, world)
    dispatch_shipment(db.session, shipment, courier="C", tracking_number=None,
                      expected_arrival=clock.today(), by=world.logistics)
    with pytest.raises(DomainError, match="needs your electronic signature"):
        apply_transition(db.session, SHIPMENT, shipment, "receive")
