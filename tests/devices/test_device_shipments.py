"""A shipment of devices only, devices scanned in the shipment's own scan field, and the
discrepancies a receipt opens for a device missing or damaged."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.errors import DomainError
from app.devices.services import shipping
from app.esign.services import signatures_for
from app.shipments.models import Discrepancy
from app.shipments.services.dispatch import dispatch_shipment
from app.shipments.services.picking import finish_picking, pack_shipment, pick_kit, propose_kits
from app.shipments.services.receipt import (
    receive_shipment,
    resolve_discrepancy,
    scan_at_receipt,
)
from tests.factories import PASSWORD
from tests.shipments.factories import make_shipment, make_world


@pytest.fixture
def world(db):
    return make_world(db.session)


def _gtin(body13):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return body13 + str((10 - total % 10) % 10)


def _devices_only(db, dev, world, serials=("BP-100", "BP-101")):
    devices = []
    for serial in serials:
        device = dev.device(serial=serial, kind="bp_monitor")
        dev.plan(device)
        devices.append(device)
    shipment = make_shipment(db.session, world, requested=0)
    return shipment, devices


def _dispatched(db, dev, world, serials=("BP-100", "BP-101")):
    shipment, devices = _devices_only(db, dev, world, serials)
    for device in devices:
        shipping.add_device(db.session, shipment, device.serial, world.logistics)
    assert propose_kits(db.session, shipment, by=world.logistics) == 0
    for device in devices:
        pick_kit(db.session, shipment, device.serial, by=world.logistics)
    finish_picking(db.session, shipment, by=world.logistics)
    pack_shipment(db.session, shipment, boxes=1)
    dispatch_shipment(db.session, shipment, courier="C", tracking_number="T1",
                      expected_arrival=clock.today() + timedelta(days=1), by=world.logistics)
    return shipment, devices


def test_a_shipment_of_devices_only_is_ordered_picked_dispatched_and_received(db, dev, world):
    shipment, devices = _devices_only(db, dev, world)
    assert shipment.requested_kits == 0
    with pytest.raises(DomainError) as refused:
        propose_kits(db.session, shipment, by=world.logistics)
    assert str(refused.value) == ("This shipment asks for no kit: put its devices on it before "
                                  "ordering it.")
    for device in devices:
        shipping.add_device(db.session, shipment, device.serial, world.logistics)
    assert propose_kits(db.session, shipment, by=world.logistics) == 0
    assert (shipment.status, shipment.lines) == ("ordered", [])
    with pytest.raises(DomainError, match="Nothing has been picked yet"):
        finish_picking(db.session, shipment, by=world.logistics)
    line = pick_kit(db.session, shipment, "bp-100", by=world.logistics)
    assert (line.device.serial, line.status) == ("BP-100", "picked")
    finish_picking(db.session, shipment, by=world.logistics)
    pack_shipment(db.session, shipment, boxes=1)
    dispatch_shipment(db.session, shipment, courier="C", tracking_number="T1",
                      expected_arrival=clock.today() + timedelta(days=1), by=world.logistics)
    assert [d.status for d in devices] == ["in_transit", "in_stock"]  # BP-101 was not picked
    scanned = scan_at_receipt(db.session, shipment, "BP-100", "ok", by=world.site_user)
    assert (scanned.status, devices[0].status, devices[0].site_id) == (
        "received", "at_site", world.site.id)
    counts = receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD)
    assert counts == {"ok": 0, "damaged": 0, "missing": 0}
    assert (shipment.status, shipment.open_discrepancies) == ("received", 0)
    [signature] = signatures_for(db.session, shipment)
    assert signature.meaning == "received"


def test_an_empty_shipment_means_no_kits_and_no_devices(db, dev, world):
    shipment, devices = _devices_only(db, dev, world, ("BP-200",))
    shipping.add_device(db.session, shipment, "BP-200", world.logistics)
    propose_kits(db.session, shipment, by=world.logistics)
    shipment.status = "packed"  # as if picking had ended with nothing picked
    with pytest.raises(DomainError) as refused:
        dispatch_shipment(db.session, shipment, courier="C", tracking_number="T1",
                          expected_arrival=clock.today() + timedelta(days=1),
                          by=world.logistics)
    assert str(refused.value) == (f"Shipment {shipment.number} has no kits and no devices; an "
                                  "empty shipment cannot be dispatched.")
    assert devices[0].status == "in_stock"


def test_a_negative_number_of_kits_is_refused(db, world):
    with pytest.raises(DomainError) as refused:
        make_shipment(db.session, world, requested=-1)
    assert (refused.value.field, str(refused.value)) == (
        "requested_kits", "Ask for between 0 and 5,000 kits (0: a shipment of devices only).")


def test_a_device_udi_is_read_in_the_kit_field_and_a_wrong_udi_refused(db, dev, world):
    shipment, devices = _devices_only(db, dev, world, ("BP-300",))
    devices[0].model.udi_di = _gtin("0845000000300")
    shipping.add_device(db.session, shipment, "BP-300", world.logistics)
    propose_kits(db.session, shipment, by=world.logistics)
    wrong = _gtin("0845000000399")
    with pytest.raises(DomainError) as refused:
        pick_kit(db.session, shipment, f"(01){wrong}(21)BP-300", by=world.logistics)
    assert (refused.value.field, str(refused.value)) == (
        "kit_number", f"Device BP-300: the code's device identifier {wrong} is not its model's "
        f"UDI-DI {devices[0].model.udi_di}. Nothing was recorded.")
    line = pick_kit(db.session, shipment, f"(01){devices[0].model.udi_di}(21)BP-300",
                    by=world.logistics)
    assert line.status == "picked"
    with pytest.raises(DomainError) as refused:
        pick_kit(db.session, shipment, "BP-300", by=world.logistics)
    assert str(refused.value) == "Device BP-300 was scanned already."


def test_unscanned_and_damaged_devices_open_discrepancies_at_the_signed_receipt(db, dev, world):
    shipment, devices = _dispatched(db, dev, world, ("BP-400", "BP-401", "BP-402"))
    scan_at_receipt(db.session, shipment, "BP-400", "ok", by=world.site_user)
    scan_at_receipt(db.session, shipment, "BP-401", "damaged", by=world.site_user)
    with pytest.raises(DomainError) as refused:
        receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD)
    assert (refused.value.field, str(refused.value)) == (
        "missing_confirmed", "1 device will be recorded as missing. Scan it, or confirm that "
        "it is missing.")
    assert shipment.status == "shipped"
    receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                     missing_confirmed=True)
    items = db.session.scalars(select(Discrepancy).order_by(Discrepancy.id)).all()
    assert [(i.kind, i.kind_label, i.item_label, i.description, i.kit_id) for i in items] == [
        ("damaged", "Damaged device", "BP-401", "Device BP-401 arrived damaged.", None),
        ("missing", "Missing device", "BP-402", "Device BP-402 was not in the boxes.", None)]
    assert shipment.open_discrepancies == 2
    assert [d.status for d in devices] == ["at_site", "quarantined", "in_transit"]
    assert [line.status for line in shipping.lines_of(db.session, shipment.id)] == [
        "received", "damaged", "missing"]
    [signature] = signatures_for(db.session, shipment)
    assert shipment.signature_content()["devices"] == [
        ["BP-400", "received"], ["BP-401", "damaged"], ["BP-402", "missing"]]
    with pytest.raises(DomainError, match="before its receipt is signed"):
        shipping.receive(db.session, shipment, "BP-402", world.site_user)
    resolve_discrepancy(db.session, items[1], "Found at the courier's depot.",
                        by=world.logistics)
    assert shipment.open_discrepancies == 1


def test_a_discrepancy_names_one_kit_or_one_device_never_both(db, dev, world):
    shipment, devices = _devices_only(db, dev, world, ("BP-500",))
    kit_id = world.kits[0].id if getattr(world, "kits", None) else None
    for values in ({"kind": "missing"},
                   *([{"kind": "damaged", "kit_id": kit_id, "device_id": devices[0].id}]
                     if kit_id else [])):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(Discrepancy(shipment_id=shipment.id, description="x", **values))
            db.session.flush()
    db.session.add(Discrepancy(shipment_id=shipment.id, description="x", kind="other"))
    db.session.add(Discrepancy(shipment_id=shipment.id, description="x", kind="missing",
                               device_id=devices[0].id))
    db.session.flush()


def test_a_device_on_one_unfinished_shipment_cannot_go_on_another(db, dev, world):
    first, devices = _devices_only(db, dev, world, ("BP-600",))
    shipping.add_device(db.session, first, "BP-600", world.logistics)
    second = make_shipment(db.session, world, requested=0)
    with pytest.raises(DomainError) as refused:
        shipping.add_device(db.session, second, "BP-600", world.logistics)
    assert (refused.value.field, str(refused.value)) == (
        "serial", f"Device BP-600 is already on shipment {first.number}.")
