"""Order, FEFO proposal, picking by scan, packing and dispatch through the stock ledger."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.notify.models import Notice, OutboxMessage
from app.shipments.models import ShipmentKit
from app.shipments.services.dispatch import dispatch_shipment
from app.shipments.services.orders import cancel_shipment
from app.shipments.services.picking import finish_picking, pick_kit, propose_kits
from app.shipments.states import SHIPMENT
from app.stock.api import StockBalance, StockEntry, move_kits
from tests.shipments.factories import make_packed, make_shipment
from tests.stock.factories import make_kits, make_lot

pytestmark = pytest.mark.usefixtures("english")


def ready_to_dispatch(db, world, requested=3, logger_ids="LG-1"):
    return make_packed(db.session, world, requested, logger_ids)


def test_proposal_is_first_expiry_first_out_and_skips_kits_past_dns(db, world):
    soon = make_lot(db.session, world.product, world.trial,
                    expires_on=clock.today() + timedelta(days=50))  # inside the 60-day DNS
    early = make_lot(db.session, world.product, world.trial,
                     expires_on=clock.today() + timedelta(days=200))
    make_kits(db.session, world.trial, 2, soon, world.depot, prefix="SOON")
    early_kits = make_kits(db.session, world.trial, 2, early, world.depot, prefix="EARLY")
    shipment = make_shipment(db.session, world, requested=3)
    assert propose_kits(db.session, shipment) == 3
    proposed = [line.kit for line in shipment.lines]
    assert [k.kit_number for k in proposed[:2]] == [k.kit_number for k in early_kits]
    assert all(not k.kit_number.startswith("SOON") for k in proposed)
    assert shipment.status == "ordered"


def test_dns_is_judged_on_the_expected_arrival_date(db, world):
    edge = make_lot(db.session, world.product, world.trial,
                    expires_on=clock.today() + timedelta(days=65))
    make_kits(db.session, world.trial, 1, edge, world.depot, prefix="EDGE")
    late = make_shipment(db.session, world, requested=10,
                         expected_arrival=clock.today() + timedelta(days=10))
    propose_kits(db.session, late)
    assert not any(line.kit.kit_number.startswith("EDGE") for line in late.lines)


def test_unreleased_lots_are_not_proposed(db, world):
    pending = make_lot(db.session, world.product, world.trial, status="quarantine",
                       expires_on=clock.today() + timedelta(days=100))
    make_kits(db.session, world.trial, 2, pending, world.depot, prefix="QUAR")
    shipment = make_shipment(db.session, world, requested=20)
    propose_kits(db.session, shipment)
    assert len(shipment.lines) == 6
    assert not any(line.kit.kit_number.startswith("QUAR") for line in shipment.lines)


def test_picking_refuses_kits_not_proposed_elsewhere_or_unknown(db, world):
    first = make_shipment(db.session, world, requested=2)
    propose_kits(db.session, first)
    second = make_shipment(db.session, world, requested=2)
    propose_kits(db.session, second)
    assert {li.kit_id for li in first.lines}.isdisjoint({li.kit_id for li in second.lines})
    other_kit = second.lines[0].kit.kit_number
    with pytest.raises(DomainError, match="already on shipment"):
        pick_kit(db.session, first, other_kit, by=world.logistics)
    free_kit = world.kits[-1].kit_number  # six kits, four proposed
    with pytest.raises(DomainError, match="not on this shipment's proposal"):
        pick_kit(db.session, first, free_kit, by=world.logistics)
    with pytest.raises(DomainError, match="no kit NOPE"):
        pick_kit(db.session, first, "NOPE", by=world.logistics)
    mine = first.lines[0].kit.kit_number
    pick_kit(db.session, first, f"  {mine} ", by=world.logistics)
    with pytest.raises(DomainError, match="already picked"):
        pick_kit(db.session, first, mine, by=world.logistics)


def test_picking_refuses_a_kit_no_longer_available(db, world):
    shipment = make_shipment(db.session, world, requested=1)
    propose_kits(db.session, shipment)
    kit = shipment.lines[0].kit
    move_kits(db.session, [kit], "damaged", "damage", by=world.logistics)
    with pytest.raises(DomainError, match="no longer available"):
        pick_kit(db.session, shipment, kit.kit_number, by=world.logistics)


def test_finish_picking_drops_unpicked_kits_and_frees_them(db, world):
    shipment = make_shipment(db.session, world, requested=3)
    propose_kits(db.session, shipment)
    with pytest.raises(DomainError, match="Nothing has been picked yet"):
        finish_picking(db.session, shipment)
    pick_kit(db.session, shipment, shipment.lines[0].kit.kit_number, by=world.logistics)
    assert finish_picking(db.session, shipment) == 1
    assert [li.status for li in shipment.lines] == ["picked", "dropped", "dropped"]
    held = db.session.scalar(select(func.count()).select_from(ShipmentKit)
                             .where(ShipmentKit.holds.is_(True)))
    assert held == 1


def test_dispatch_moves_kits_in_transit_in_the_ledger_and_tells_the_site(db, world):
    shipment = ready_to_dispatch(db, world)
    before = db.session.scalar(select(StockBalance.available).where(
        StockBalance.location_id == world.depot.id))
    n = dispatch_shipment(db.session, shipment, courier="World Courier",
                          tracking_number="1Z999", expected_arrival=clock.today(),
                          by=world.logistics)
    db.session.flush()
    assert n == 3 and shipment.status == "shipped" and shipment.dispatched_at
    assert {line.kit.state for line in shipment.lines} == {"in_transit"}
    entries = db.session.scalars(select(StockEntry).where(
        StockEntry.document_ref == shipment.number)).all()
    assert [e.event for e in entries] == ["transfer_out"] * 3
    after = db.session.scalar(select(StockBalance.available).where(
        StockBalance.location_id == world.depot.id))
    assert after == before - 3
    notice = db.session.scalar(select(Notice).where(Notice.user_id == world.site_user.id))
    assert shipment.number in notice.message
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == world.site_user.email))
    assert "1Z999" in mail.body


def test_an_empty_shipment_cannot_be_dispatched(db, world):
    shipment = make_shipment(db.session, world, requested=1)
    propose_kits(db.session, shipment)
    # Force the state a buggy or raced path could leave: packed with nothing picked.
    apply_transition(db.session, SHIPMENT, shipment, "finish_picking")
    apply_transition(db.session, SHIPMENT, shipment, "pack", values={"boxes": 1})
    with pytest.raises(DomainError, match="empty shipment cannot be dispatched"):
        dispatch_shipment(db.session, shipment, courier="X", tracking_number=None,
                          expected_arrival=clock.today(), by=world.logistics)


def test_cold_chain_needs_a_logger(db, world):
    shipment = ready_to_dispatch(db, world, logger_ids=None)
    with pytest.raises(DomainError, match="temperature logger") as caught:
        dispatch_shipment(db.session, shipment, courier="X", tracking_number=None,
                          expected_arrival=clock.today(), logger_ids="", by=world.logistics)
    assert caught.value.field == "logger_ids"
    assert shipment.status == "packed"


def test_a_500_character_tracking_number_is_refused(db, world):
    shipment = ready_to_dispatch(db, world)
    with pytest.raises(DomainError, match="at most 60 characters") as caught:
        dispatch_shipment(db.session, shipment, courier="X", tracking_number="9" * 500,
                          expected_arrival=clock.today(), by=world.logistics)
    assert caught.value.field == "tracking_number"
    assert {line.kit.state for line in shipment.lines} == {"available"}


def test_state_machine_refuses_skipping_and_stale_changes(db, world):
    shipment = make_shipment(db.session, world)
    with pytest.raises(DomainError, match="cannot become Shipped"):
        apply_transition(db.session, SHIPMENT, shipment, "dispatch")
    propose_kits(db.session, shipment)
    # Someone else cancelled it meanwhile: our copy still says 'ordered'.
    from sqlalchemy import update

    from app.shipments.models import Shipment

    db.session.execute(update(Shipment).where(Shipment.id == shipment.id)
                       .values(status="cancelled")
                       .execution_options(synchronize_session=False))
    with pytest.raises(DomainError, match="changed by someone else"):
        apply_transition(db.session, SHIPMENT, shipment, "finish_picking")


def test_cancel_frees_the_kits(db, world):
    shipment = make_shipment(db.session, world, requested=6)
    propose_kits(db.session, shipment)
    with pytest.raises(DomainError, match="reason"):
        cancel_shipment(db.session, shipment, " ")
    cancel_shipment(db.session, shipment, "Site closed")
    again = make_shipment(db.session, world, requested=6)
    assert propose_kits(db.session, again) == 6


def test_dispatched_shipment_cannot_be_cancelled(db, world):
    shipment = ready_to_dispatch(db, world)
    dispatch_shipment(db.session, shipment, courier="X", tracking_number=None,
                      expected_arrival=clock.today(), by=world.logistics)
    with pytest.raises(DomainError, match="cannot become Cancelled"):
        cancel_shipment(db.session, shipment, "too late")
