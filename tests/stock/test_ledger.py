"""The kit state machine, the append-only ledger, balances and their verification."""

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError
from app.stock.models import StockBalance, StockEntry
from app.stock.services.ledger import (
    deltas,
    move_kits,
    reverse_entry,
    transition,
    verify_balances,
)
from app.stock.states import KIT


def balance(db, kit):
    return db.session.scalar(select(StockBalance).where(
        StockBalance.location_id == kit.location_id, StockBalance.lot_id == kit.lot_id)
        .execution_options(populate_existing=True))


def test_generated_kits_are_received_with_random_numbers_and_a_balance(db, make, stock):
    trial = make.trial()
    kits = stock.make_kits(trial, 20)
    numbers = sorted(int(k.kit_number) for k in kits)
    assert len(set(numbers)) == 20
    assert any(b - a != 1 for a, b in zip(numbers, numbers[1:], strict=False))  # not a sequence
    row = balance(db, kits[0])
    assert (row.on_hand, row.quarantined, row.available) == (20, 0, 20)
    assert db.session.scalar(select(StockEntry.event).where(StockEntry.kit_id == kits[0].id)) \
        == "receipt"


def test_zero_or_negative_quantities_are_refused(db, make, stock):
    trial = make.trial()
    for count in (0, -5):
        with pytest.raises(DomainError, match="more than zero"):
            stock.make_kits(trial, count)


def test_receipt_of_an_expired_lot_is_refused(db, make, stock):
    from datetime import timedelta

    trial = make.trial()
    lot = stock.make_lot(trial=trial, expires_on=clock.today() - timedelta(days=1))
    with pytest.raises(DomainError, match="expired"):
        stock.make_kits(trial, 2, lot=lot)


def test_quarantine_and_release_move_the_balance(db, make, stock):
    kit = stock.make_kits(make.trial(), 2)[0]
    transition(db.session, kit, "quarantined", "quarantine", reason="temperature excursion")
    row = balance(db, kit)
    assert (row.on_hand, row.quarantined, row.available) == (2, 1, 1)
    transition(db.session, kit, "available", "release", reason="QA decision")
    row = balance(db, kit)
    assert (row.on_hand, row.quarantined, row.available) == (2, 0, 2)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "kit", AuditEntry.entity_id == str(kit.id))
        .order_by(AuditEntry.id)).all()
    assert [(e.action, e.reason) for e in entries] == [
        ("create", None), ("kit_quarantine", "temperature excursion"),
        ("kit_release", "QA decision")]


@pytest.mark.parametrize("state,target,message", [
    ("available", "returned", "Kit {} is Available; it cannot become Returned."),
    ("available", "available", "Kit {} is already Available."),
])
def test_a_transition_not_in_the_table_is_refused_in_plain_words(db, make, stock, state,
                                                                  target, message):
    kit = stock.make_kits(make.trial(), 1)[0]
    with pytest.raises(DomainError) as refused:
        transition(db.session, kit, target, "adjustment")
    assert str(refused.value) == message.format(kit.kit_number)
    assert kit.state == "available"


def test_destroyed_kits_go_nowhere_and_the_table_is_explicit(db, make, stock):
    assert KIT.targets_from("destroyed") == []
    assert KIT.find("pending_destruction", "destruction", "destroyed") is not None
    assert KIT.targets_from("in_transit") == ["damaged", "missing", "quarantined", "received"]
    assert deltas("available", "quarantined") == (0, 1, -1)
    assert deltas("available", "in_transit") == (-1, 0, -1)
    kit = stock.make_kits(make.trial(), 1)[0]
    transition(db.session, kit, "damaged", "damage", reason="dropped")
    transition(db.session, kit, "pending_destruction", "adjustment", reason="for destruction")
    transition(db.session, kit, "destroyed", "destruction", document_ref="CoD-1")
    with pytest.raises(DomainError) as refused:
        transition(db.session, kit, "available", "adjustment")
    assert str(refused.value) == (f"Kit {kit.kit_number} has been destroyed; nothing more can "
                                  "happen to it.")


def test_dispensing_a_quarantined_kit_is_refused(db, make, stock):
    kit = stock.make_kits(make.trial(), 1)[0]
    transition(db.session, kit, "quarantined", "quarantine")
    with pytest.raises(DomainError) as refused:
        transition(db.session, kit, "dispensed", "dispense")
    assert str(refused.value) == (f"Kit {kit.kit_number} is Quarantined and cannot be "
                                  "dispensed; only available kits can.")


def test_move_kits_is_all_or_nothing(db, make, stock):
    kits = stock.make_kits(make.trial(), 3)
    transition(db.session, kits[1], "damaged", "damage")
    with pytest.raises(DomainError) as refused:
        move_kits(db.session, kits, "quarantined", "quarantine")
    assert str(refused.value) == (f"Kit {kits[1].kit_number} is Damaged; it cannot become "
                                  "Quarantined.")
    assert [k.state for k in kits] == ["available", "damaged", "available"]


def test_a_stale_kit_loses_to_the_one_who_changed_it_first(db, make, stock):
    kit = stock.make_kits(make.trial(), 1)[0]
    # Someone else quarantines the kit behind this session's back.
    db.session.execute(update(type(kit)).where(type(kit).id == kit.id)
                       .values(state="quarantined").execution_options(
                           synchronize_session=False))
    with pytest.raises(DomainError) as refused:
        transition(db.session, kit, "damaged", "damage")
    assert str(refused.value) == (f"Kit {kit.kit_number} was changed by someone else a moment "
                                  "ago. Nothing was saved; reload the page to see its current "
                                  "state.")
    db.session.execute(update(type(kit)).where(type(kit).id == kit.id)
                       .values(state="available").execution_options(
                           synchronize_session=False))


def test_ledger_rows_cannot_be_updated_or_deleted(db, make, stock):
    kit = stock.make_kits(make.trial(), 1)[0]
    entry_id = db.session.scalar(select(StockEntry.id).where(StockEntry.kit_id == kit.id))
    for statement in ("UPDATE stock_entries SET reason = 'x' WHERE id = :id",
                      "DELETE FROM stock_entries WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement), {"id": entry_id})


def test_a_correction_reverses_a_line_with_a_new_line(db, make, stock):
    kit = stock.make_kits(make.trial(), 1)[0]
    wrong = transition(db.session, kit, "damaged", "damage", reason="looked damaged")
    with pytest.raises(DomainError) as refused:
        reverse_entry(db.session, wrong, reason="")
    assert (str(refused.value), refused.value.field) == ("Give a reason for the correction.",
                                                         "reason")
    fix = reverse_entry(db.session, wrong, reason="box was intact after all")
    assert fix.reversal_of_id == wrong.id and kit.state == "available"
    assert (fix.on_hand_delta, fix.available_delta) == (-wrong.on_hand_delta, 1)
    with pytest.raises(DomainError, match="already been reversed"):
        reverse_entry(db.session, wrong, reason="again")
    with pytest.raises(DomainError, match="cannot itself be reversed"):
        reverse_entry(db.session, fix, reason="undo")


def test_verify_finds_a_planted_difference(db, make, stock):
    kit = stock.make_kits(make.trial(), 4)[0]
    row = balance(db, kit)
    row.on_hand = 99  # planted: the projection no longer matches the ledger
    db.session.flush()
    differences = verify_balances(db.session)
    assert differences == [((row.location_id, row.trial_id, row.lot_id), (99, 0, 4), (4, 0, 4))]
    verify_balances(db.session, repair=True)
    assert verify_balances(db.session) == []


def test_flask_stock_verify_reports_differences(app, db, make, stock):
    kit = stock.make_kits(make.trial(), 2)[0]
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stock", "verify"])
    assert (result.exit_code, result.output) == (0, "OK: every balance agrees with the ledger.\n")
    row = balance(db, kit)
    row.available = 0
    db.session.commit()
    result = runner.invoke(args=["stock", "verify"])
    assert (result.exit_code, result.output) == (1, (
        f"DIFFERENCE location {row.location_id} trial {row.trial_id} lot {row.lot_id}: balance "
        "(on hand, quarantined, available) (2, 0, 0), ledger says (2, 0, 2)\n"
        "1 balance rows differ from the ledger.\n"))
    balance(db, kit).available = 2
    db.session.commit()
