"""Logger upload, receipt by scan and signature, quarantine, QA decision, exposure."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.coldchain.logger import LoggerFileError
from app.core import clock
from app.core.errors import DomainError
from app.esign.services import SigningError, signatures_for
from app.files.models import StoredFile
from app.notify.models import Notice
from app.shipments.models import Discrepancy, LoggerReading, LoggerUpload
from app.shipments.services.dispatch import dispatch_shipment, mark_delivered
from app.shipments.services.logger import attach_logger_file, kit_minutes_out
from app.shipments.services.orders import close_shipment
from app.shipments.services.qa import decide_on_kits
from app.shipments.services.receipt import receive_shipment, resolve_discrepancy, scan_at_receipt
from app.stock.api import StockBalance
from tests.factories import PASSWORD
from tests.shipments.factories import journey_started, make_dispatched, sample_logger
from tests.shipments.test_flow import ready_to_dispatch

pytestmark = pytest.mark.usefixtures("english")
SAMPLE = sample_logger(serial="LG-1")  # the README's sample, moved into the journey


def csv_in_range(start=None, n=20, value=5.0):
    start = start or datetime.now(UTC) - timedelta(hours=2)
    rows = ["timestamp,temperature"] + [
        f"{(start + timedelta(minutes=5 * i)).isoformat()},{value}" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


def shipped(db, world, requested=3):
    return journey_started(db.session, make_dispatched(db.session, world, requested))


def scan_all(db, shipment, world, damaged=(), skip=()):
    for line in shipment.lines:
        number = line.kit.kit_number
        if number in skip:
            continue
        scan_at_receipt(db.session, shipment, number, "damaged" if number in damaged else "ok",
                        by=world.site_user)


def test_logger_with_excursion_is_analysed_stored_and_told(db, world):
    shipment = shipped(db, world)
    upload, report = attach_logger_file(db.session, shipment, SAMPLE, filename="lg.csv",
                                        serial="LG-1", by=world.logistics)
    assert report.has_excursion and upload.minutes_out == report.minutes_out == 65.0
    assert (upload.low_c, upload.high_c) == (2.0, 8.0)
    assert db.session.scalar(select(func.count()).select_from(LoggerReading).where(
        LoggerReading.upload_id == upload.id)) == upload.reading_count == 360
    assert len(upload.excursions) == 2 and shipment.minutes_out == upload.minutes_out
    assert upload.stored_file.content_type == "text/csv"
    told = db.session.scalars(select(Notice.user_id)).all()
    assert world.qp.id in told and world.logistics.id in told


def test_a_failing_logger_file_stores_nothing(db, world):
    shipment = shipped(db, world)
    files_before = db.session.scalar(select(func.count()).select_from(StoredFile))
    lines = SAMPLE.split(b"\n")
    lines[146] = b"garbage here"
    bad = b"\n".join(lines)
    with pytest.raises(LoggerFileError) as caught:
        attach_logger_file(db.session, shipment, bad, filename="lg.csv", serial="LG-1",
                           by=world.logistics)
    assert caught.value.problems[0][0] == 147
    assert db.session.scalar(select(func.count()).select_from(LoggerUpload)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == files_before
    assert shipment.minutes_out == 0


def test_logger_refused_before_dispatch_and_twice_for_the_same_logger(db, world):
    shipment = ready_to_dispatch(db, world)
    with pytest.raises(DomainError, match="once the shipment has left"):
        attach_logger_file(db.session, shipment, SAMPLE, filename="a.csv", serial="LG-1")
    dispatch_shipment(db.session, shipment, courier="C", tracking_number=None,
                      expected_arrival=clock.today(), by=world.logistics)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    with pytest.raises(DomainError, match="already attached"):
        attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv",
                           serial="lg-1")


def test_receipt_without_excursion_makes_kits_available_at_the_site(db, world):
    shipment = shipped(db, world)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    mark_delivered(db.session, shipment)
    scan_all(db, shipment, world)
    counts = receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                              logger_confirmed=True)
    assert counts == {"ok": 3, "damaged": 0, "missing": 0}
    assert shipment.status == "received" and shipment.received_by_id == world.site_user.id
    assert {(li.kit.state, li.kit.location_id) for li in shipment.lines} == {
        ("received", world.site_loc.id)}
    balance = db.session.scalar(select(StockBalance).where(
        StockBalance.location_id == world.site_loc.id))
    assert (balance.on_hand, balance.available, balance.quarantined) == (3, 3, 0)
    [signature] = signatures_for(db.session, shipment)
    assert signature.meaning == "received"
    assert not shipment.qa_pending
    close_shipment(db.session, shipment)
    assert shipment.status == "closed"


def test_receiving_twice_is_refused(db, world):
    shipment = shipped(db, world)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    scan_all(db, shipment, world)
    receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                     logger_confirmed=True)
    with pytest.raises(DomainError, match="already been received"):
        receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                         logger_confirmed=True)
    with pytest.raises(DomainError, match="already been received"):
        scan_at_receipt(db.session, shipment, shipment.lines[0].kit.kit_number, "ok",
                        by=world.site_user)


def test_a_kit_that_arrives_but_was_not_shipped_opens_a_discrepancy(db, world):
    shipment = shipped(db, world)
    stranger = next(k for k in world.kits if k.id not in {li.kit_id for li in shipment.lines})
    item = scan_at_receipt(db.session, shipment, stranger.kit_number, "ok", by=world.site_user)
    assert isinstance(item, Discrepancy)
    assert (item.kind, item.kit_id, item.status, shipment.open_discrepancies) == (
        "other", stranger.id, "open", 1)
    assert item.description == (f"Kit {stranger.kit_number} arrived in shipment "
                                f"{shipment.number} but was not shipped on it.")
    assert all(li.receipt_outcome is None for li in shipment.lines)
    assert stranger.state == "available"  # it does not enter stock here
    with pytest.raises(DomainError, match="scanned twice"):
        scan_at_receipt(db.session, shipment, stranger.kit_number, "ok", by=world.site_user)


def test_a_kit_scanned_twice_says_so(db, world):
    shipment = shipped(db, world)
    number = shipment.lines[0].kit.kit_number
    scan_at_receipt(db.session, shipment, number, "ok", by=world.site_user)
    with pytest.raises(DomainError) as refused:
        scan_at_receipt(db.session, shipment, number, "damaged", by=world.site_user)
    assert str(refused.value).startswith(f"Kit {number} was already scanned at ")
    assert str(refused.value).endswith("UTC; it was scanned twice. Nothing changed.")
    assert shipment.lines[0].receipt_outcome == "ok"


def test_signing_with_kits_not_scanned_asks_to_confirm_them_missing(db, world):
    shipment = shipped(db, world)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    scan_at_receipt(db.session, shipment, shipment.lines[0].kit.kit_number, "ok",
                    by=world.site_user)
    with pytest.raises(DomainError) as refused:
        receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                         logger_confirmed=True)
    assert (str(refused.value), refused.value.field) == (
        "2 kits will be recorded as missing. Scan them, or confirm that they are missing.",
        "missing_confirmed")
    assert shipment.status == "shipped"
    counts = receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                              logger_confirmed=True, missing_confirmed=True)
    assert counts == {"ok": 1, "damaged": 0, "missing": 2}


def test_other_sites_and_wrong_roles_cannot_receive(db, world, make):
    from tests.factories import make_user

    shipment = shipped(db, world)
    other = make_user(db.session, roles=("site",), sites=[make.site(world.trial)])
    with pytest.raises(DomainError, match="cannot receive"):
        scan_at_receipt(db.session, shipment, shipment.lines[0].kit.kit_number, "ok", by=other)
    with pytest.raises(DomainError, match="cannot receive"):
        receive_shipment(db.session, shipment, by=world.qp, password=PASSWORD,
                         logger_confirmed=True)


def test_cold_chain_receipt_needs_logger_data_and_its_confirmation(db, world):
    shipment = shipped(db, world)
    with pytest.raises(DomainError, match="upload the logger data"):
        receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    with pytest.raises(DomainError, match="Confirm that you have checked"):
        receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD)


def test_wrong_password_keeps_the_failure_and_changes_nothing(db, world):
    shipment = shipped(db, world)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    scan_all(db, shipment, world)
    with pytest.raises(SigningError):
        receive_shipment(db.session, shipment, by=world.site_user, password="wrong",
                         logger_confirmed=True)
    db.session.commit()
    assert shipment.status == "shipped" and world.site_user.failed_signatures == 1
    assert {li.kit.state for li in shipment.lines} == {"in_transit"}
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "signature_failed", AuditEntry.entity_id == str(
            world.site_user.id))) is not None


def test_damaged_and_missing_kits_open_discrepancies_logistics_resolves(db, world):
    shipment = shipped(db, world)
    attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv", serial="LG-1")
    numbers = [li.kit.kit_number for li in shipment.lines]
    scan_all(db, shipment, world, damaged={numbers[0]}, skip={numbers[1]})
    counts = receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                              logger_confirmed=True, missing_confirmed=True)
    assert counts == {"ok": 1, "damaged": 1, "missing": 1}
    states = {li.kit.kit_number: li.kit.state for li in shipment.lines}
    assert states == {numbers[0]: "damaged", numbers[1]: "missing", numbers[2]: "received"}
    items = db.session.scalars(select(Discrepancy).order_by(Discrepancy.id)).all()
    assert [d.kind for d in items] == ["damaged", "missing"]
    assert shipment.open_discrepancies == 2
    assert db.session.scalar(select(Notice).where(Notice.user_id == world.logistics.id))
    with pytest.raises(DomainError, match="Resolve the open discrepancies"):
        close_shipment(db.session, shipment)
    for item in items:
        resolve_discrepancy(db.session, item, "Credit note from the courier",
                            by=world.logistics)
    with pytest.raises(DomainError, match="already resolved"):
        resolve_discrepancy(db.session, items[0], "again", by=world.logistics)
    assert shipment.open_discrepancies == 0
    close_shipment(db.session, shipment)


def excursion_received(db, world, requested=3):
    shipment = shipped(db, world, requested)
    attach_logger_file(db.session, shipment, SAMPLE, filename="lg.csv", serial="LG-1")
    scan_all(db, shipment, world)
    receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                     logger_confirmed=True)
    return shipment


def test_an_excursion_quarantines_the_kits_on_receipt(db, world):
    shipment = excursion_received(db, world)
    assert {li.kit.state for li in shipment.lines} == {"quarantined"}
    assert all(li.quarantined and li.minutes_out == shipment.minutes_out
               for li in shipment.lines)
    assert shipment.qa_pending
    balance = db.session.scalar(select(StockBalance).where(
        StockBalance.location_id == world.site_loc.id))
    assert (balance.on_hand, balance.available, balance.quarantined) == (3, 0, 3)
    with pytest.raises(DomainError, match="wait for a QA decision"):
        close_shipment(db.session, shipment)


def test_qa_releases_some_and_rejects_others_with_signatures(db, world):
    shipment = excursion_received(db, world)
    first, second, third = shipment.lines
    with pytest.raises(DomainError, match="reason"):
        decide_on_kits(db.session, shipment, [first.id], "released", " ", signer=world.qp,
                       password=PASSWORD)
    with pytest.raises(DomainError, match="Only QA"):
        decide_on_kits(db.session, shipment, [first.id], "released", "ok",
                       signer=world.logistics, password=PASSWORD)
    release = decide_on_kits(db.session, shipment, [first.id, second.id], "released",
                             "Within the stability data (48 h at 25 °C)", signer=world.qp,
                             password=PASSWORD)
    assert shipment.qa_pending
    reject = decide_on_kits(db.session, shipment, [third.id], "rejected", "Box crushed",
                            signer=world.qp, password=PASSWORD)
    assert not shipment.qa_pending
    assert [first.kit.state, second.kit.state, third.kit.state] == [
        "available", "available", "pending_destruction"]
    assert signatures_for(db.session, release)[0].meaning == "released"
    assert signatures_for(db.session, reject)[0].meaning == "rejected"
    with pytest.raises(DomainError, match="at least one kit"):
        decide_on_kits(db.session, shipment, [first.id], "rejected", "again", signer=world.qp,
                       password=PASSWORD)


def test_wrong_password_at_qa_decision_makes_no_decision(db, world):
    from app.shipments.models import QaDecision

    shipment = excursion_received(db, world)
    with pytest.raises(SigningError):
        decide_on_kits(db.session, shipment, [shipment.lines[0].id], "released", "fine",
                       signer=world.qp, password="nope")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(QaDecision)) == 0
    assert world.qp.failed_signatures == 1
    assert shipment.lines[0].kit.state == "quarantined"


def test_minutes_out_of_range_accumulate_per_kit_across_shipments(db, world):
    first = excursion_received(db, world, requested=2)
    decide_on_kits(db.session, first, [li.id for li in first.lines], "released", "ok",
                   signer=world.qp, password=PASSWORD)
    kit_ids = [li.kit_id for li in first.lines]
    once = first.minutes_out
    # Send the same kits back to the depot with another excursion.
    from app.shipments.services.orders import create_shipment
    from app.shipments.services.picking import finish_picking, pack_shipment, pick_kit, propose_kits

    back = create_shipment(db.session, trial=world.trial, kind="return",
                           origin=world.site_loc, destination=world.depot, requested_kits=2,
                           expected_arrival=clock.today(), by=world.logistics)
    from app.stock.api import move_kits

    move_kits(db.session, [li.kit for li in first.lines], "quarantined", "quarantine",
              by=world.logistics, reason="set aside for return")
    propose_kits(db.session, back)
    assert {li.kit_id for li in back.lines} == set(kit_ids)
    for li in list(back.lines):
        pick_kit(db.session, back, li.kit.kit_number, by=world.logistics)
    finish_picking(db.session, back)
    pack_shipment(db.session, back, boxes=1, logger_ids="LG-9")
    dispatch_shipment(db.session, back, courier="C", tracking_number=None,
                      expected_arrival=clock.today(), by=world.logistics)
    journey_started(db.session, back)
    attach_logger_file(db.session, back, sample_logger(serial="LG-9"), filename="lg.csv",
                       serial="LG-9")
    for li in back.lines:
        scan_at_receipt(db.session, back, li.kit.kit_number, "ok", by=world.logistics)
    receive_shipment(db.session, back, by=world.logistics, password=PASSWORD,
                     logger_confirmed=True)
    totals = kit_minutes_out(db.session, kit_ids)
    assert totals == {kit_ids[0]: round(2 * once, 1), kit_ids[1]: round(2 * once, 1)}
