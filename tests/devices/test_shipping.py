"""Devices travel in the existing shipments: added, picked, dispatched and received by serial."""

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.devices.models import DeviceEvent, ShipmentDevice
from app.devices.services import shipping
from app.shipments.services.dispatch import dispatch_shipment
from app.shipments.services.picking import finish_picking, pack_shipment, pick_kit, propose_kits
from tests.shipments.factories import make_packed, make_shipment, make_world


@pytest.fixture
def world(db):
    return make_world(db.session)


def test_a_coordinator_ships_a_device_and_the_site_receives_it(client, login, db, dev, world):
    device = dev.device(serial="GLU-SHIP-1", kind="investigational", investigational=True)
    dev.plan(device)
    shipment = make_packed(db.session, world)
    db.session.commit()
    login(world.logistics)
    base = f"/devices/shipments/{shipment.id}"
    # packed: too late to add
    page = client.post(f"{base}/add", data={"serial": "GLU-SHIP-1"}).get_data(as_text=True)
    assert "Devices can be added only before the shipment is packed." in page
    shipment = make_shipment(db.session, world)
    db.session.commit()
    base = f"/devices/shipments/{shipment.id}"
    assert client.post(f"{base}/add", data={"serial": "GLU-SHIP-1"}).status_code == 302
    assert client.post(f"{base}/pick", data={"serial": "glu-ship-1"}).status_code == 302
    line = db.session.scalar(select(ShipmentDevice))
    assert line.status == "picked"
    propose_kits(db.session, shipment)
    for kit_line in list(shipment.lines):
        pick_kit(db.session, shipment, kit_line.kit.kit_number, by=world.logistics)
    finish_picking(db.session, shipment)
    pack_shipment(db.session, shipment, boxes=1, logger_ids="LG-9")
    dispatch_shipment(db.session, shipment, courier="C", tracking_number="T9",
                      expected_arrival=clock.today() + timedelta(days=1), by=world.logistics)
    db.session.commit()
    db.session.refresh(device)
    assert device.status == "in_transit"
    packing = client.get(f"/shipments/{shipment.id}/packing-list.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=packing.data, capture_output=True,
                          check=True).stdout.decode()
    assert "GLU-SHIP-1" in text and "Devices" in text
    login(world.site_user)
    assert client.post(f"{base}/receive", data={"serial": "GLU-SHIP-1",
                                                "outcome": "received"}).status_code == 302
    db.session.refresh(device)
    assert (device.status, device.site_id) == ("at_site", world.site.id)
    assert [e.kind for e in db.session.scalars(select(DeviceEvent))] == ["receipt"]


def test_a_device_serial_scanned_into_the_kit_field_not_on_the_shipment_is_refused(db, dev,
                                                                                     world):
    dev.device(serial="SCALE-77", kind="scale")
    shipment = make_shipment(db.session, world)
    propose_kits(db.session, shipment)
    with pytest.raises(DomainError) as refused:
        pick_kit(db.session, shipment, "SCALE-77", by=world.logistics)
    assert (refused.value.field, str(refused.value)) == (
        "kit_number", "Device SCALE-77 is not on this shipment.")


def test_an_overdue_device_cannot_be_put_on_a_shipment(db, dev, world):
    device = dev.device(serial="ECG-LATE", kind="ecg")
    dev.plan(device, first_due=clock.today() - timedelta(days=1))
    shipment = make_shipment(db.session, world)
    with pytest.raises(DomainError, match="ECG-LATE is overdue for calibration"):
        shipping.add_device(db.session, shipment, "ECG-LATE", world.logistics)
