"""Storage excursions at a site: the kits the ledger puts there, quarantine, exposure, QA."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.models import utcnow
from app.esign.services import signatures_for
from app.notify.models import Notice
from app.stock.models import KitExposure, StockEntry, StorageExcursion
from app.stock.services.ledger import move_kits
from app.stock.services.storage import (
    decide_storage_kits,
    kits_present,
    pending_lines,
    record_manual_excursion,
)
from tests.factories import PASSWORD

DAY = timedelta(days=1)


def _period(hours_ago, minutes):
    start = (utcnow() - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
    return start, start + timedelta(minutes=minutes)


def _manual(db, location, pharmacist, hours_ago=24, minutes=45, max_c=14.5):
    start, end = _period(hours_ago, minutes)
    return record_manual_excursion(db.session, location, started_at=start, ended_at=end,
                                   min_c=None, max_c=max_c, comment="Door left open",
                                   by=pharmacist)


def test_an_excursion_quarantines_the_kits_there_and_adds_to_their_whole_life_exposure(
        db, fridge):
    site, location, kits, pharmacist, qp = fridge
    excursion = _manual(db, location, pharmacist)
    assert excursion.reference == f"SE-{excursion.id}"
    assert (excursion.minutes_out, excursion.max_c, excursion.min_c) == (45.0, 14.5, None)
    assert (excursion.low_c, excursion.high_c) == (Decimal("2.0"), Decimal("8.0"))
    assert excursion.qa_pending is True
    assert sorted(k.state for k in kits) == ["quarantined"] * 3
    assert [(k.minutes_out, k.highest_c, k.lowest_c) for k in kits] == [(45.0, 14.5, None)] * 3
    entries = db.session.scalars(select(StockEntry).where(
        StockEntry.document_ref == excursion.reference)).all()
    assert [(e.event, e.state_before, e.state_after) for e in entries] == [
        ("quarantine", "received", "quarantined")] * 3
    sources = db.session.scalars(select(KitExposure).where(KitExposure.kit_id == kits[0].id)).all()
    assert [(x.source, x.reference, x.minutes_out) for x in sources] == [
        ("storage", excursion.reference, 45.0)]
    notices = db.session.scalars(select(Notice).where(Notice.user_id == qp.id)).all()
    assert [(n.message, n.link) for n in notices] == [(
        f"Storage excursion {excursion.reference} at {location.name} awaits a QA decision",
        f"/stock/storage-excursions/{excursion.id}")]


def test_the_ledger_says_which_kits_were_there_not_only_which_are_there_now(db, fridge, stock):
    site, location, kits, pharmacist, qp = fridge
    gone, later = kits[0], stock.make_kits(site.trial, 1, prefix=f"LT{site.id}-")[0]
    move_kits(db.session, [gone], "dispensed", "dispense", occurred_at=utcnow() - 3 * DAY)
    move_kits(db.session, [later], "in_transit", "transfer_out", to_location=location,
              occurred_at=utcnow() - 2 * DAY)
    move_kits(db.session, [later], "received", "transfer_in", occurred_at=utcnow() - 2 * DAY)
    # Four days ago: the three first kits were there; the later one had not arrived.
    start, end = _period(96, 30)
    assert [k.id for k in kits_present(db.session, location, start, end)] == [
        k.id for k in kits]
    # Yesterday: the dispensed kit had left, the later one was there.
    start, end = _period(24, 30)
    assert {k.id for k in kits_present(db.session, location, start, end)} == {
        kits[1].id, kits[2].id, later.id}
    excursion = record_manual_excursion(db.session, location, started_at=start, ended_at=end,
                                        min_c=-1.0, max_c=None, comment="Fridge froze",
                                        by=pharmacist)
    assert gone.state == "dispensed" and gone.minutes_out == 0.0
    assert len(excursion.lines) == 3 and all(line.quarantined for line in excursion.lines)
    assert later.lowest_c == -1.0 and later.state == "quarantined"


@pytest.mark.parametrize(("shift", "field", "message"), [
    ({"end": -60}, "ended_at", "The end must be after the start."),
    ({"start": 48 * 60, "end": 48 * 60}, "ended_at", "The excursion cannot end in the future."),
    ({"start": -20 * 24 * 60}, "started_at", "has been recorded since"),
])
def test_a_period_that_does_not_fit_is_refused_and_nothing_is_saved(db, fridge, shift, field,
                                                                    message):
    site, location, kits, pharmacist, qp = fridge
    start, end = _period(24, 30)
    start += timedelta(minutes=shift.get("start", 0))
    end += timedelta(minutes=shift.get("end", 0))
    with pytest.raises(DomainError) as refused:
        record_manual_excursion(db.session, location, started_at=start, ended_at=end,
                                min_c=None, max_c=12.0, comment="x", by=pharmacist)
    assert refused.value.field == field and message in str(refused.value)
    assert db.session.scalar(select(StorageExcursion.id)) is None
    assert [k.state for k in kits] == ["received"] * 3


def test_temperatures_inside_the_range_or_without_a_comment_are_refused(db, fridge):
    site, location, kits, pharmacist, qp = fridge
    start, end = _period(24, 30)
    for values, field, message in (
            ({"max_c": 7.5, "comment": "x"}, "min_c",
             "These temperatures are within the storage range of the kits (2.0 to 8.0 °C): "
             "there is no excursion to record."),
            ({"max_c": 12.0, "comment": " "}, "comment",
             "Say what happened (for example, the fridge door was left open)."),
            ({"max_c": None, "comment": "x"}, "min_c",
             "Give the coldest or the warmest temperature seen.")):
        with pytest.raises(DomainError) as refused:
            record_manual_excursion(db.session, location, started_at=start, ended_at=end,
                                    min_c=None, by=pharmacist, **values)
        assert (refused.value.field, str(refused.value)) == (field, message)


def test_qa_releases_with_the_budget_and_departs_only_with_a_reason(db, fridge):
    site, location, kits, pharmacist, qp = fridge
    excursion = _manual(db, location, pharmacist, minutes=45)   # 45 of 60 min: release
    lines = pending_lines(excursion)
    with pytest.raises(DomainError) as refused:
        decide_storage_kits(db.session, excursion, [lines[0].id], "rejected", "Precaution",
                            signer=qp, password=PASSWORD)
    assert refused.value.field == "departure_reason"
    assert str(refused.value) == (
        f"The stability budget proposes the other decision for {lines[0].kit.kit_number}. "
        "Say why you depart from the proposal.")
    record = decide_storage_kits(db.session, excursion, [lines[1].id, lines[2].id], "released",
                                 "Within the stability budget", signer=qp, password=PASSWORD)
    assert [k.state for k in kits] == ["quarantined", "available", "available"]
    assert [s.meaning for s in signatures_for(db.session, record)] == ["released"]
    assert excursion.qa_pending is True
    record = decide_storage_kits(db.session, excursion, [lines[0].id], "rejected", "Precaution",
                                 signer=qp, password=PASSWORD,
                                 departure_reason="Seal damaged when quarantined")
    assert record.departure_reason == "Seal damaged when quarantined"
    assert kits[0].state == "pending_destruction" and excursion.qa_pending is False


def test_a_second_excursion_takes_the_kits_over_budget_and_qa_is_proposed_reject(db, fridge):
    site, location, kits, pharmacist, qp = fridge
    first = _manual(db, location, pharmacist, hours_ago=48, minutes=45)
    decide_storage_kits(db.session, first, [line.id for line in first.lines], "released",
                        "Within budget", signer=qp, password=PASSWORD)
    second = _manual(db, location, pharmacist, hours_ago=24, minutes=30)
    assert [k.minutes_out for k in kits] == [75.0] * 3
    with pytest.raises(DomainError) as refused:
        decide_storage_kits(db.session, second, [line.id for line in second.lines],
                            "released", "Fine", signer=qp, password=PASSWORD)
    assert refused.value.field == "departure_reason"


def test_a_wrong_password_decides_nothing(db, fridge):
    site, location, kits, pharmacist, qp = fridge
    excursion = _manual(db, location, pharmacist)
    with pytest.raises(DomainError) as refused:
        decide_storage_kits(db.session, excursion, [excursion.lines[0].id], "released", "ok",
                            signer=qp, password="wrong")
    assert "password" in str(refused.value).lower()
    assert excursion.lines[0].kit.state == "quarantined" and not excursion.decisions


def test_only_qa_decides(db, fridge):
    site, location, kits, pharmacist, qp = fridge
    excursion = _manual(db, location, pharmacist)
    with pytest.raises(DomainError) as refused:
        decide_storage_kits(db.session, excursion, [excursion.lines[0].id], "released", "ok",
                            signer=pharmacist, password=PASSWORD)
    assert str(refused.value) == "Only QA may decide on kits after an excursion."


def test_aware_times_stay_utc(db, fridge):
    site, location, kits, pharmacist, qp = fridge
    excursion = _manual(db, location, pharmacist)
    db.session.expire(excursion)
    assert excursion.started_at.tzinfo is not None
    assert excursion.started_at < datetime.now(UTC)
