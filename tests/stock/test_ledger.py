"""The kit state machine, the append-only ledger, balances and their verification."""

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEntry
from app.stock.ledger import StockError, move_kits, reverse_entry, transition, verify_balances
from app.stock.ledger_models import StockBalance, StockEntry
from app.stock.states import TRANSITIONS, allowed_targets, deltas


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
        with pytest.raises(StockError, match="more than zero"):
            stock.make_kits(trial, count)


def test_receipt_of_an_expired_lot_is_refused(db, make, stock):
    from datetime import date, timedelta

    trial = make.trial()
    lot = stock.make_lot(trial=trial, expires_on=date.today() - timedelta(days=1))
    with pytest.raises(StockError, match="expired"):
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
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "kit", AuditEntry.entity_id == str(kit.id))).all()
    assert "kit_quarantine" in actions and "kit_release" in actions


@pytest.mark.parametrize("state,target,message", [
    ("available", "returned", "cannot become"),
    ("available", "available", "already"),
])
def test_a_transition_not_in_the_table_is_refused_in_plain_words(db, make, stock, state,
                                                                  target, message):
    kit = stock.make_kits(make.trial(), 1)[0]
    with pytest.raises(StockError, match=message):
        transition(db.session, kit, target, "adjustment")
    assert kit.state == "available"


def test_destroyed_kits_go_nowhere_and_the_table_is_explicit(db, make, stock):
    assert allowed_targets("destroyed") == []
    assert ("pending_destruction", "destroyed") in TRANSITIONS
    assert deltas("available", "quarantined") == (0, 1, -1)
    assert deltas("available", "in_transit") == (-1, 0, -1)
    kit = stock.make_kits(make.trial(), 1)[0]
    transition(db.session, kit, "damaged", "damage", reason="dropped")
    transition(db.session, kit, "pending_destruction", "adjustment", reason="for destruction")
    transition(db.session, kit, "destroyed", "destruction", document_ref="CoD-1")
    with pytest.raises(StockError, match="destroyed"):
        transition(db.session, kit, "available", "adjustment")


def test_dispensing_a_quarantined_kit_is_refused(db, make, stock):
    kit = stock.make_kits(make.trial(), 1)[0]
    transition(db.session, kit, "quarantined", "quarantine")
    with pytest.raises(StockError, match="cannot be dispensed"):
        transition(db.session, kit, "dispensed", "dispense")


def test_move_kits_is_all_or_nothing(db, make, stock):
    kits = stock.make_kits(make.trial(), 3)
    transition(db.session, kits[1], "damaged", "damage")
    with pytest.raises(StockError):
        move_kits(db.session, kits, "quarantined", "quarantine")
    assert [k.state for k in kits] == ["available", "damaged", "available"]


def test_a_stale_kit_loses_to_the_one_who_changed_it_first(db, make, stock):
    kit = stock.make_kits(make.trial(), 1)[0]
    # Someone else quarantines the kit behind this session's back.
    db.session.execute(update(type(kit)).where(type(kit).id == kit.id)
                       .values(state="quarantined").execution_options(
                           synchronize_session=False))
    with pytest.raises(StockError, match="changed by someone else"):
        transition(db.session, kit, "damaged", "damage")
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
    with pytest.raises(StockError, match="reason"):
        reverse_entry(db.session, wrong, reason="")
    fix = reverse_entry(db.session, wrong, reason="box was intact after all")
    assert fix.reversal_of_id == wrong.id and kit.state == "available"
    assert (fix.on_hand_delta, fix.available_delta) == (-wrong.on_hand_delta, 1)
    with pytest.raises(StockError, match="already been reversed"):
        reverse_entry(db.session, wrong, reason="again")
    with pytest.raises(StockError, match="cannot itself be reversed"):
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
    assert result.exit_code == 0 and "agree" in result.output
    balance(db, kit).available = 0
    db.session.commit()
    result = runner.invoke(args=["stock", "verify"])
    assert result.exit_code == 1 and "DIFFERENCE" in result.output
    balance(db, kit).available = 2
    db.session.commit()
