"""Kits come back, are reconciled and verified, authorised, destroyed with two signatures."""

import subprocess

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.destruction.models import ReturnedKit
from app.destruction.services import batches, certificate, reconciliation, returns
from app.notify.models import OutboxMessage
from app.shipments.models import Discrepancy
from app.stock.models import StockEntry
from app.stock.services.accountability import compute
from tests.destruction.factories import (
    make_authorisation,
    make_batch,
    make_received_return,
    make_return,
    make_verified,
)
from tests.factories import PASSWORD


def test_site_scans_each_kit_with_its_condition(db, world, english):
    shipment = make_return(db.session, world)
    rows = db.session.scalars(select(ReturnedKit).order_by(ReturnedKit.id)).all()
    assert [(r.kit.kit_number, r.condition, r.units_remaining) for r in rows] == [
        (world.kits[0].kit_number, "partly_used", 10),
        (world.kits[1].kit_number, "damaged", 28),
        (world.kits[2].kit_number, "expired", 28)]
    assert [line.status for line in shipment.lines] == ["picked"] * 3


def test_return_scan_of_a_kit_never_at_the_site_is_refused(db, world, english, make):
    from tests.stock.factories import make_kits

    shipment = make_return(db.session, world, scan=False)
    stranger = make_kits(db.session, world.trial, 1, lot=world.lot, depot=world.depot,
                         prefix="NEVER")[0]
    with pytest.raises(DomainError) as refused:
        returns.declare_returned_kit(db.session, shipment, stranger.kit_number, "unused",
                                     by=world.site_user)
    assert str(refused.value) == (f"Kit {stranger.kit_number} was never at site "
                                  f"{world.site.site_number}; it cannot be returned from "
                                  "there. Nothing was recorded.")
    assert refused.value.field == "kit_number"
    assert db.session.scalar(select(func.count()).select_from(ReturnedKit)) == 0


def test_partly_used_needs_the_units_remaining(db, world, english):
    shipment = make_return(db.session, world, scan=False)
    with pytest.raises(DomainError) as refused:
        returns.declare_returned_kit(db.session, shipment, world.kits[0].kit_number,
                                     "partly_used", None, by=world.site_user)
    assert str(refused.value) == ("A partly used kit holds between 1 and 27 units; give the "
                                  "units remaining.")


def test_depot_receipt_keeps_returns_apart_and_opens_discrepancies(db, world, english):
    shipment = make_return(db.session, world)
    returns.declare_returned_kit(db.session, shipment, world.kits[2].kit_number, "unused",
                                 by=world.site_user)  # declared unused, arrives damaged
    from app.shipments.services.receipt import scan_at_receipt
    from tests.destruction.factories import dispatch_return

    dispatch_return(db.session, world, shipment)
    for kit, outcome in zip(world.kits[:3], ("ok", "damaged", "damaged"), strict=True):
        scan_at_receipt(db.session, shipment, kit.kit_number, outcome, by=world.logistics)
    counts = returns.receive_return(db.session, shipment, by=world.logistics,
                                    password=PASSWORD)
    assert counts == {"ok": 1, "damaged": 2, "missing": 0, "differences": 1}
    assert {k.state for k in world.kits[:3]} == {"pending_destruction"}
    assert {k.location_id for k in world.kits[:3]} == {world.zone.id}
    texts = db.session.scalars(select(Discrepancy.description).where(
        Discrepancy.shipment_id == shipment.id).order_by(Discrepancy.id)).all()
    assert f"Kit {world.kits[2].kit_number} was sent back as Unused but arrived damaged." \
        in texts
    assert shipment.open_discrepancies == 3


def test_returned_kits_are_never_proposed_for_shipping(db, world, english):
    from app.stock.api import KitUse, eligible_kits
    from app.stock.rules import check_kit_rules

    make_received_return(db.session, world)
    kit = world.kits[0]
    proposed = eligible_kits(db.session, world.trial, [world.zone.id], window="dns",
                             use=KitUse("ship", world.trial, site=world.site))
    assert proposed == []
    with pytest.raises(DomainError) as refused:
        check_kit_rules(db.session, kit, KitUse("ship", world.trial, site=world.site))
    assert "can never be shipped or dispensed" in str(refused.value)


def test_reconciliation_figures_and_every_difference_explained(db, world, english):
    from datetime import timedelta

    make_received_return(db.session, world)
    today = clock.today()
    rec = reconciliation.draw_up(db.session, world.site, today - timedelta(days=30), today,
                                 by=world.logistics)
    figures, differences = reconciliation.frozen(rec)
    assert {k: figures[k] for k in ("delivered", "dispensed", "returned_by_subjects",
                                    "units_returned", "units_missing", "sent_back",
                                    "damaged", "destroyed_at_site", "on_hand_end",
                                    "difference")} == {
        "delivered": 5, "dispensed": 1, "returned_by_subjects": 1, "units_returned": 10,
        "units_missing": 2, "sent_back": 3, "damaged": 1, "destroyed_at_site": 0,
        "on_hand_end": 2, "difference": 0}
    assert [d["what"] for d in differences] == ["2 units not returned by the subject"]
    with pytest.raises(DomainError) as refused:
        reconciliation.close(db.session, rec, by=world.logistics)
    assert str(refused.value) == ("Explain every difference before closing: 1 still without "
                                  "an explanation.")
    reconciliation.explain(db.session, rec, differences[0]["key"], "Blister lost at home",
                           by=world.site_user)
    reconciliation.close(db.session, rec, by=world.logistics)
    with pytest.raises(DomainError):
        reconciliation.verify(db.session, rec, signer=world.monitor, password="wrong")
    db.session.rollback()


def test_authorisation_end_before_start_is_refused(db, world, english):
    from datetime import timedelta

    with pytest.raises(DomainError) as refused:
        make_authorisation(db.session, world, valid_until=clock.today() - timedelta(days=40))
    assert str(refused.value) == "The end date cannot be before the start date."
    assert refused.value.field == "valid_until"


def _destroyable(db, world):
    make_received_return(db.session, world)
    make_verified(db.session, world)
    return make_authorisation(db.session, world)


def test_kits_outside_the_scope_or_not_pending_cannot_be_destroyed(db, world, english):
    auth = _destroyable(db, world)
    batch = make_batch(db.session, world, auth, add=False)
    with pytest.raises(DomainError) as refused:
        batches.add_kits(db.session, batch, [world.kits[3].kit_number])
    assert str(refused.value) == (f"Kit {world.kits[3].kit_number} is not pending "
                                  "destruction; it cannot be destroyed.")
    narrow = make_authorisation(db.session, world, kit_from="ZZZ0", kit_to="ZZZ9")
    other = make_batch(db.session, world, narrow, add=False)
    with pytest.raises(DomainError) as refused:
        batches.add_kits(db.session, other, [world.kits[0].kit_number])
    assert str(refused.value) == (f"Kit {world.kits[0].kit_number} is outside the scope of "
                                  f"authorisation {narrow.reference}.")


def test_kits_of_an_unverified_reconciliation_cannot_be_destroyed(db, world, english):
    make_received_return(db.session, world)
    auth = make_authorisation(db.session, world)
    batch = make_batch(db.session, world, auth, add=False)
    with pytest.raises(DomainError) as refused:
        batches.add_kits(db.session, batch, [world.kits[0].kit_number])
    assert str(refused.value) == (f"Kit {world.kits[0].kit_number} is not in a closed and "
                                  "verified reconciliation.")


def test_destroyed_with_two_signatures_and_the_certificate_matches_the_ledger(
        db, world, english, tmp_path):
    auth = _destroyable(db, world)
    batch = make_batch(db.session, world, auth)
    assert batch.item_count == 3
    with pytest.raises(DomainError) as refused:
        batches.execute(db.session, batch, signer=world.logistics, password=PASSWORD)
    assert str(refused.value) == "The witness signs the batch before it is executed."
    batches.witness(db.session, batch, signer=world.qp, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        batches.execute(db.session, batch, signer=world.qp, password=PASSWORD)
    assert str(refused.value) == ("The witness cannot also be the responsible person; another "
                                  "person executes the batch.")
    batches.execute(db.session, batch, signer=world.logistics, password=PASSWORD)
    db.session.commit()
    assert {k.state for k in world.kits[:3]} == {"destroyed"}
    ledger = db.session.execute(select(StockEntry.kit_id, StockEntry.state_before).where(
        StockEntry.event == "destruction", StockEntry.document_ref == batch.number)).all()
    assert sorted(ledger) == sorted((k.id, "pending_destruction") for k in world.kits[:3])
    with pytest.raises(DomainError) as refused:
        batches.execute(db.session, batch, signer=world.logistics2, password=PASSWORD)
    assert str(refused.value) == f"Batch {batch.number} has already been executed."

    path = tmp_path / "cert.pdf"
    stored = certificate.issue_certificate(db.session, batch, path, by=world.logistics)
    db.session.commit()
    assert batch.certificate_sha256 == stored.sha256
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in (batch.certificate_number, batch.number, "Planta de Getafe",
                     "High-temperature incineration", "Ecolab Residuos SL", "GR-28-1234",
                     auth.reference, world.trial.protocol_code, world.site.site_number,
                     world.lot.number, "Witnessed destruction", "Performed",
                     world.qp.full_name, world.logistics.full_name, "REC-"):
        assert expected in text, expected
    # Every kit of the ledger's destruction lines, with its units, and nothing else.
    listed = {}
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("D") and parts[0][1:].isdigit():
            listed[parts[0]] = int(parts[-1])
    assert listed == {world.kits[0].kit_number: 10, world.kits[1].kit_number: 28,
                      world.kits[2].kit_number: 28}
    again = tmp_path / "again.pdf"
    certificate.issue_certificate(db.session, batch, again, by=world.logistics)
    assert again.read_bytes() == path.read_bytes()
    certificate.send_to_sponsor(db.session, batch, "/destruction/batches/1", by=world.logistics)
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "sponsor@example.com"))
    assert batch.certificate_number in mail.subject and stored.sha256 in mail.body


def test_on_site_destruction_needs_the_hospitals_certificate(db, world, english):
    from app.stock.services.ledger import move_kits
    from tests.destruction.factories import PDF

    move_kits(db.session, [world.kits[1]], "pending_destruction", "adjustment")
    make_verified(db.session, world)
    auth = make_authorisation(db.session, world, site_ids=[world.site.id])
    batch = make_batch(db.session, world, auth, site=world.site, place="Hospital pharmacy",
                       contractor="Hospital", contractor_licence="H-1")
    assert batch.item_count == 1
    batches.witness(db.session, batch, signer=world.logistics, password=PASSWORD)
    with pytest.raises(DomainError) as refused:
        batches.execute(db.session, batch, signer=world.site_user, password=PASSWORD)
    assert str(refused.value) == "Upload the hospital's own certificate of destruction first."
    batches.upload_site_certificate(db.session, batch, PDF, "hospital.pdf", by=world.site_user)
    batches.execute(db.session, batch, signer=world.site_user, password=PASSWORD)
    assert world.kits[1].state == "destroyed"
    assert compute(db.session, site=world.site).counts["destruction"] == 1


def test_the_annex_of_a_large_certificate_reads_back_row_by_row(
        db, world, english, tmp_path, monkeypatch):
    auth = _destroyable(db, world)
    batch = make_batch(db.session, world, auth)
    batches.witness(db.session, batch, signer=world.qp, password=PASSWORD)
    batches.execute(db.session, batch, signer=world.logistics, password=PASSWORD)
    monkeypatch.setattr(certificate, "INLINE_ITEMS", 0)
    path = tmp_path / "annex.pdf"
    path.write_bytes(certificate.build_certificate(db.session, batch))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Annex: kits destroyed" in text
    rows = [line.split() for line in text.splitlines()
            if line.split() and line.split()[0] in {k.kit_number for k in world.kits}]
    subject = world.subject.code
    assert rows == [
        [world.kits[0].kit_number, world.lot.number, world.site.site_number, subject, "10"],
        [world.kits[1].kit_number, world.lot.number, world.site.site_number, "28"],
        [world.kits[2].kit_number, world.lot.number, world.site.site_number, "28"]]
