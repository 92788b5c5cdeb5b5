"""The audit trail: same transaction, field changes, reasons, append-only, hash chain."""

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEntry
from app.audit.services import AuditError, ReasonRequired, set_reason, verify_chain
from tests.dbsetup import is_postgres


def entries_for(db, entity_type, entity_id):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)).all()


def test_creation_and_change_are_recorded_with_old_and_new_values(db, make):
    trial = make.trial(title="First title")
    db.session.commit()
    set_reason(db.session, "Sponsor renamed the study")
    trial.title = "Second title"
    db.session.commit()
    created, changed = entries_for(db, "trial", trial.id)
    assert created.action == "create" and json.loads(created.changes)["title"] == [None, "First title"]
    assert changed.action == "update"
    assert json.loads(changed.changes) == {"title": ["First title", "Second title"]}
    assert changed.reason == "Sponsor renamed the study"


def test_a_gxp_change_without_reason_is_refused_and_nothing_is_saved(db, make):
    trial = make.trial(title="Kept")
    db.session.commit()
    trial.title = "Changed without reason"
    with pytest.raises(ReasonRequired):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(type(trial), trial.id).title == "Kept"


def test_records_are_never_deleted(db, make):
    trial = make.trial()
    db.session.commit()
    db.session.delete(trial)
    with pytest.raises(AuditError):
        db.session.flush()
    db.session.rollback()


def test_rolled_back_changes_leave_no_entry(db, make):
    before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    make.trial()
    db.session.rollback()
    after = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET reason = 'forged'",
    "DELETE FROM audit_entries",
])
def test_the_database_refuses_to_change_audit_rows(db, make, statement):
    make.trial()
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement))


def test_the_chain_verifies_and_finds_a_tampered_row(db, make):
    make.trial()
    make.trial()
    db.session.commit()
    checked, broken, _ = verify_chain(db.session)
    assert broken is None and checked >= 2
    victim = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    # An attacker with database rights disables the guard and edits a row.
    if is_postgres():
        db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER audit_entries_no_update"))
    db.session.execute(text("UPDATE audit_entries SET reason = 'forged' WHERE id = :id"),
                       {"id": victim.id})
    db.session.expire_all()
    checked, broken, problem = verify_chain(db.session)
    assert broken == victim.id
    assert "hash" in problem


def test_cli_verify_reports_ok(app, db, make):
    make.trial()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "chain is intact" in result.output


def test_identity_values_never_enter_the_trail(db, make):
    subject = make.subject(identity={"full_name": "Secret Person", "national_id": "12345678Z"})
    db.session.commit()
    rows = db.session.scalars(select(AuditEntry.changes).where(
        AuditEntry.entity_type == "subject_identity")).all()
    assert rows and all("Secret Person" not in r and "12345678Z" not in r for r in rows)
    assert subject.identity.full_name == "Secret Person"
