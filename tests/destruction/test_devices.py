"""Devices in destruction batches: set aside, scoped, destroyed with the kits all or nothing."""

import subprocess

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.destruction.models import DestructionItem
from app.destruction.services import batch_devices, batches, certificate
from app.devices.api import Device, move
from tests import factories
from tests.destruction.factories import (
    make_authorisation,
    make_batch,
    make_received_return,
    make_verified,
)
from tests.devices.factories import make_device
from tests.factories import PASSWORD


def pending_device(session, world, trial=None, serial=None):
    """Return a device of the trial at the depot, retired and set aside for destruction."""
    device = make_device(session, serial=serial, trial_id=(trial or world.trial).id,
                         location_id=world.depot.id)
    move(session, device, "retire", by=world.logistics, reason="Worn out")
    move(session, device, "set_for_destruction", by=world.logistics, reason="End of trial")
    return device


def ready_batch(session, world, **auth_values):
    make_received_return(session, world)
    make_verified(session, world)
    return make_batch(session, world, make_authorisation(session, world, **auth_values))


def test_device_set_aside_then_destroyed_with_the_kits(db, world, english):
    device = pending_device(db.session, world, serial="PUMP-0001")
    assert device.status == "pending_destruction"
    batch = ready_batch(db.session, world)
    assert batch_devices.add_devices(db.session, batch, ["pump-0001"]) == 1
    assert batch_devices.counts(db.session, batch) == {"kit": 3, "device": 1}
    assert batch.item_count == 4
    batches.witness(db.session, batch, signer=world.qp, password=PASSWORD)
    batches.execute(db.session, batch, signer=world.logistics, password=PASSWORD)
    db.session.commit()
    db.session.refresh(device)
    assert (device.status, device.status_reason) == ("destroyed", batch.number)
    assert {k.state for k in world.kits[:3]} == {"destroyed"}
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "device", AuditEntry.entity_id == str(device.id))
        .order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["device_retire", "device_set_for_destruction", "device_destroy"]
    added = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "destruction_devices_added"))
    assert added.entity_id == str(batch.id)


def certificate_text(session, world, tmp_path, serial):
    """Execute a batch of the three kits and one device; return the device and the PDF text."""
    device = pending_device(session, world, serial=serial)
    batch = ready_batch(session, world)
    batch_devices.add_devices(session, batch)
    batches.witness(session, batch, signer=world.qp, password=PASSWORD)
    batches.execute(session, batch, signer=world.logistics, password=PASSWORD)
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(certificate.build_certificate(session, batch))
    return device, subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout


def test_certificate_lists_the_devices_with_their_count(db, world, english, tmp_path):
    device, text = certificate_text(db.session, world, tmp_path, "PUMP-0002")
    assert "Devices destroyed: 1" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert f"Acme {device.model.model} PUMP-0002 {device.model.udi_di}" in lines
    assert "Kits destroyed 3" in lines and "Devices destroyed 1" in lines


def test_certificate_annex_lists_devices_apart(db, world, english, tmp_path, monkeypatch):
    monkeypatch.setattr(certificate, "INLINE_ITEMS", 2)
    _, text = certificate_text(db.session, world, tmp_path, "PUMP-0003")
    assert "The 3 kits and 1 devices destroyed are listed in the annex." in \
        " ".join(text.split())
    assert "Annex: devices destroyed (1)" in text
    assert text.index("Annex: kits destroyed") < text.index("PUMP-0003")


def test_device_outside_the_scope_is_refused(db, world, english):
    other_trial = factories.make_trial(db.session)
    stranger = pending_device(db.session, world, trial=other_trial, serial="PUMP-OUT")
    batch = ready_batch(db.session, world)
    with pytest.raises(DomainError) as refused:
        batch_devices.add_devices(db.session, batch, ["PUMP-OUT"])
    assert str(refused.value) == (
        f"Device PUMP-OUT is not a device of trial {world.trial.protocol_code}; it is outside "
        f"authorisation {batch.authorisation.reference}.")
    assert refused.value.field == "serials"
    assert stranger.status == "pending_destruction"
    assert db.session.scalar(select(DestructionItem.id).where(
        DestructionItem.kind == "device")) is None


def test_site_limited_authorisation_covers_no_device(db, world, english):
    pending_device(db.session, world, serial="PUMP-SITE")
    batch = ready_batch(db.session, world, site_ids=[world.site.id])
    with pytest.raises(DomainError) as refused:
        batch_devices.add_devices(db.session, batch, ["PUMP-SITE"])
    assert str(refused.value) == (
        f"Authorisation {batch.authorisation.reference} is limited to sites, lots, kit ranges "
        "or a reconciliation's kits; it covers no device. Devices need an authorisation of "
        "the whole trial.")


def test_device_not_pending_is_refused_when_scanned(db, world, english):
    make_device(db.session, serial="PUMP-STOCK", trial_id=world.trial.id,
                location_id=world.depot.id)
    batch = ready_batch(db.session, world)
    with pytest.raises(DomainError) as refused:
        batch_devices.add_devices(db.session, batch, ["PUMP-STOCK"])
    assert str(refused.value) == ("Device PUMP-STOCK is not pending destruction; it cannot be "
                                  "destroyed.")


def _witnessed_with_device(session, world, serial):
    device = pending_device(session, world, serial=serial)
    batch = ready_batch(session, world)
    batch_devices.add_devices(session, batch)
    batches.witness(session, batch, signer=world.qp, password=PASSWORD)
    session.commit()
    # Someone changes the device after the witness signed (released to another state).
    session.execute(update(Device).where(Device.id == device.id).values(status="retired"))
    session.commit()
    return batch, device


def _nothing_destroyed(session, world, batch, device):
    session.rollback()
    session.expire_all()
    assert batch.status == "witnessed" and batch.certificate_number is None
    assert {k.state for k in world.kits[:3]} == {"pending_destruction"}
    assert session.get(Device, device.id).status == "retired"
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action.in_(["destruction_batch_execute", "device_destroy"]))) is None


def test_device_no_longer_pending_refuses_the_whole_execution(db, world, english):
    batch, device = _witnessed_with_device(db.session, world, "PUMP-LATE")
    with pytest.raises(DomainError) as refused:
        batches.execute(db.session, batch, signer=world.logistics, password=PASSWORD)
    assert str(refused.value) == ("Device PUMP-LATE is not pending destruction; it cannot be "
                                  "destroyed.")
    _nothing_destroyed(db.session, world, batch, device)


def test_device_failing_after_the_kits_moved_undoes_the_kits(db, world, english, monkeypatch):
    batch, device = _witnessed_with_device(db.session, world, "PUMP-RACE")
    monkeypatch.setattr(batch_devices, "check_devices", lambda session, batch: None)
    with pytest.raises(DomainError) as refused:
        batches.execute(db.session, batch, signer=world.logistics, password=PASSWORD)
    assert str(refused.value) == ("Device PUMP-RACE is not pending destruction; it cannot be "
                                  "destroyed.")
    _nothing_destroyed(db.session, world, batch, device)


def test_destroy_is_not_a_move_of_the_device_page(db, world, english):
    device = pending_device(db.session, world, serial="PUMP-PAGE")
    with pytest.raises(DomainError) as refused:
        move(db.session, device, "destroy", by=world.logistics)
    assert str(refused.value) == "A device is destroyed only by executing a destruction batch."
    assert device.status == "pending_destruction"


def test_batch_page_lists_and_adds_devices(client, login, db, world, english):
    pending_device(db.session, world, serial="PUMP-WEB")
    batch = ready_batch(db.session, world)
    db.session.commit()
    login(world.logistics)
    page = client.get(f"/destruction/batches/{batch.id}").get_data(as_text=True)
    assert '<span class="badge text-bg-light">PUMP-WEB</span>' in page
    response = client.post(f"/destruction/batches/{batch.id}/devices",
                           data={"serials": "NOPE-1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is no device NOPE-1." in page
    assert "NOPE-1</textarea>" in page
    page = client.post(f"/destruction/batches/{batch.id}/devices", data={"serials": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 devices added." in page
    assert '<dd class="col-sm-9" id="device-count">1</dd>' in page
    assert "<td>PUMP-WEB</td>" in page
    assert "Devices added to the destruction batch" in page


def test_a_device_at_a_site_is_set_aside_only_back_at_the_depot(db, world, english):
    device = make_device(db.session, serial="PUMP-AT-SITE", trial_id=world.trial.id,
                         location_id=world.site_loc.id)
    device.site_id = world.site.id
    move(db.session, device, "quarantine", by=world.logistics, reason="Faulty")
    with pytest.raises(DomainError) as refused:
        move(db.session, device, "set_for_destruction", by=world.logistics, reason="Scrap")
    assert str(refused.value) == (f"Device PUMP-AT-SITE is at site {world.site.site_number}; "
                                  "ship it back to the depot before setting it aside for "
                                  "destruction.")
    assert device.status == "quarantined"


def test_a_device_set_aside_leaves_the_calibration_alerts(db, world, english):
    from datetime import timedelta

    from app.core import clock
    from app.devices.queries import plans_due_between
    from tests.devices.factories import make_plan

    device = make_device(db.session, serial="TH-OLD", trial_id=world.trial.id,
                         location_id=world.depot.id)
    make_plan(db.session, device, first_due=clock.today() + timedelta(days=3))
    window = (clock.today(), clock.today() + timedelta(days=10))
    assert [d.serial for _, d in plans_due_between(db.session, *window)] == ["TH-OLD"]
    move(db.session, device, "retire", by=world.logistics, reason="Old")
    move(db.session, device, "set_for_destruction", by=world.logistics, reason="Scrap")
    assert plans_due_between(db.session, *window) == []


def test_batch_excel_lists_kits_and_devices_apart(client, login, db, world, english):
    from io import BytesIO

    from openpyxl import load_workbook

    device = pending_device(db.session, world, serial="PUMP-XLS")
    batch = ready_batch(db.session, world)
    batch_devices.add_devices(db.session, batch)
    db.session.commit()
    login(world.logistics)
    page = client.get(f"/destruction/batches/{batch.id}").get_data(as_text=True)
    assert f'href="/destruction/batches/{batch.id}/items.xlsx"' in page
    response = client.get(f"/destruction/batches/{batch.id}/items.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["Kits", "Devices"]
    kits = list(book["Kits"].values)
    assert kits[0] == ("Kit", "Lot", "Site", "Subject", "Units")
    assert sorted(row[0] for row in kits[1:]) == sorted(k.kit_number for k in world.kits[:3])
    assert list(book["Devices"].values) == [
        ("Model", "Serial", "UDI-DI"),
        (f"Acme {device.model.model}", "PUMP-XLS", device.model.udi_di)]
