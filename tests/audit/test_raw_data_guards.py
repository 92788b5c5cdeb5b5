"""GxP raw data cannot be edited behind the app's back: logger readings, dispensings, QA
decisions and batch items are append-only; a payment batch moves only along its declared
transitions and what was released never changes (database triggers, both engines)."""

from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.dbsetup import is_postgres

NOW = datetime(2026, 11, 20, 10, 0)

ROWS = {
    "logger_readings": ("INSERT INTO logger_readings (id, upload_id, taken_at, temperature_c) "
                        "VALUES (900001, 900001, :now, 5.0)", "temperature_c = 4.0"),
    "dispensings": ("INSERT INTO dispensings (id, kit_id, subject_id, visit_id, site_id, "
                    "dispensed_at, entry_id) VALUES (900001, 1, 1, 1, 1, :now, 1)",
                    "subject_id = 2"),
    "qa_decisions": ("INSERT INTO qa_decisions (id, shipment_id, decision, reason, decided_at) "
                     "VALUES (900001, 1, 'released', 'in range', :now)", "decision = 'rejected'"),
    "batch_items": ("INSERT INTO batch_items (id, batch_id, claim_id, amount, payee_name, "
                    "iban_encrypted, iban_last4) VALUES (900001, 900001, 900001, 10, 'A B', "
                    ":blob, '1234')", "amount = 1000"),
}


def _without_foreign_keys(session):
    """Insert rows without their parents (the guard is what is tested, not the FKs)."""
    if is_postgres():
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("PRAGMA defer_foreign_keys = ON"))


def _guards_on(session):
    if is_postgres():
        session.execute(text("SET LOCAL session_replication_role = origin"))


def _insert_batch(session, status="draft", released=False, paid=False, by=1):
    session.execute(text(
        "INSERT INTO payment_batches (id, message_id, status, execution_date, total, count, "
        "created_by_id, released_by_id, released_at, paid_by_id, paid_at, created_at, "
        "updated_at) VALUES (900001, 'MSG-900001', :status, :day, 10, 1, :by, :rb, :ra, :pb, "
        ":pa, :now, :now)"),
        {"status": status, "day": date(2026, 11, 21), "now": NOW, "by": by,
         "rb": 1 if released else None, "ra": NOW if released else None,
         "pb": 1 if paid else None, "pa": NOW if paid else None})


@pytest.mark.parametrize("table", sorted(ROWS))
@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
def test_raw_data_rows_cannot_be_edited_or_deleted(db, table, verb):
    insert, change = ROWS[table]
    with db.session.begin_nested():
        _without_foreign_keys(db.session)
        db.session.execute(text(insert), {"now": NOW, "blob": b"x"})
        _guards_on(db.session)
        statement = (f"UPDATE {table} SET {change} WHERE id = 900001" if verb == "UPDATE"  # noqa: S608
                     else f"DELETE FROM {table} WHERE id = 900001")  # noqa: S608
        with pytest.raises(DBAPIError, match=f"{table} rows are append-only"):
            with db.session.begin_nested():
                db.session.execute(text(statement))
        db.session.rollback()


BATCH_EDITS = [
    ("draft", False, False, "status = 'paid', paid_at = :now, paid_by_id = 1"),
    ("released", True, False, "status = 'draft'"),
    ("paid", True, True, "status = 'released'"),
    ("released", True, False, "total = 99999"),
    ("released", True, False, "released_by_id = 2"),
    ("paid", True, True, "paid_at = :later"),
    ("draft", False, False, "status = 'released'"),  # released without a release stamp
    ("paid", True, True, None),  # delete
]


@pytest.mark.parametrize("status,released,paid,change", BATCH_EDITS)
def test_a_payment_batch_moves_only_along_its_transitions(db, status, released, paid, change):
    with db.session.begin_nested():
        _without_foreign_keys(db.session)
        _insert_batch(db.session, status, released, paid)
        _guards_on(db.session)
        statement = (f"UPDATE payment_batches SET {change} WHERE id = 900001" if change  # noqa: S608
                     else "DELETE FROM payment_batches WHERE id = 900001")
        expected = ("payment_batches change only along their declared transitions" if change
                    else "payment_batches rows are never deleted")
        with pytest.raises(DBAPIError, match=expected):
            with db.session.begin_nested():
                db.session.execute(text(statement), {"now": NOW, "later": datetime(2027, 1, 1)})
        db.session.rollback()


def test_the_declared_batch_transitions_still_pass(db, make):
    releaser, payer = make.user(), make.user()
    with db.session.begin_nested():
        _without_foreign_keys(db.session)
        _insert_batch(db.session, by=releaser.id)
        _guards_on(db.session)
        db.session.execute(text("UPDATE payment_batches SET status = 'released', "
                                "released_at = :now, released_by_id = :u WHERE id = 900001"),
                           {"now": NOW, "u": releaser.id})
        db.session.execute(text("UPDATE payment_batches SET status = 'paid', paid_at = :now, "
                                "paid_by_id = :u WHERE id = 900001"), {"now": NOW, "u": payer.id})
        assert db.session.scalar(text("SELECT status FROM payment_batches "
                                      "WHERE id = 900001")) == "paid"
        db.session.rollback()


def test_a_declared_transition_made_in_sql_is_detected_by_verify(app, db, make, tmp_path,
                                                                 monkeypatch):
    from app.reimbursement.models import PaymentBatch

    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_FILE", str(tmp_path / "anchors.jsonl"))
    user = make.user()
    batch = PaymentBatch(message_id="MSG-DETECT", execution_date=date(2026, 11, 21), total=10,
                         count=1, created_by_id=user.id)
    db.session.add(batch)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(text("UPDATE payment_batches SET status = 'released', released_at = :n, "
                            "released_by_id = :u WHERE id = :id"),
                       {"n": NOW, "u": user.id, "id": batch.id})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output == (f"EDITED OUTSIDE THE APP: payment_batch {batch.id} is 'released' "
                             "but its audit trail ends with 'draft'.\n")
