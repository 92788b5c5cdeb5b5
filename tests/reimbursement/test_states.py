"""The claim and payment-batch machines: declared as data, applied with one audit entry each."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.core.states import apply_transition, apply_transitions, machines
from app.reimbursement.models import Claim
from app.reimbursement.services.review import validate_claim
from app.reimbursement.states import CLAIM, PAYMENT_BATCH

pytestmark = pytest.mark.usefixtures("english")


def test_both_machines_are_registered_with_their_audit_names(app):
    assert machines()["claim"] is CLAIM and machines()["payment_batch"] is PAYMENT_BATCH
    assert [(t.source, t.event, t.target) for t in CLAIM.transitions] == [
        ("draft", "submit", "submitted"), ("submitted", "validate", "validated"),
        ("submitted", "reject", "rejected"), ("validated", "approve", "approved"),
        ("validated", "reject", "rejected"), ("approved", "batch", "in_batch"),
        ("in_batch", "pay", "paid"), ("in_batch", "unbatch", "approved")]
    assert [CLAIM.action_name(e) for e in ("submit", "validate", "approve", "reject", "batch",
                                           "pay", "unbatch")] == [
        "claim_submitted", "claim_validated", "claim_approved", "claim_rejected",
        "claim_in_batch", "claim_paid", "claim_out_of_batch"]
    assert [(t.source, t.event, t.target, t.signature, t.reason)
            for t in PAYMENT_BATCH.transitions] == [
        ("draft", "release", "released", "released", False),
        ("released", "pay", "paid", None, False), ("draft", "cancel", "cancelled", None, True)]
    assert [PAYMENT_BATCH.action_name(e) for e in ("release", "pay", "cancel")] == [
        "batch_released", "batch_paid", "batch_cancelled"]


def test_flask_states_show_prints_the_claim_machine(app):
    result = app.test_cli_runner().invoke(args=["states", "show", "claim"])
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == ["claim: 7 states, 8 transitions",
                                              "  draft --submit--> submitted"]


def test_each_move_writes_one_audit_entry_with_old_and_new_state(world, db):
    claim = world.validated()
    db.session.commit()
    entries = db.session.query(AuditEntry).filter(
        AuditEntry.entity_type == "claim", AuditEntry.entity_id == str(claim.id),
        AuditEntry.action.like("claim_%")).order_by(AuditEntry.id).all()
    changes = [json.loads(e.changes) for e in entries]
    assert [(e.action, c["status"]) for e, c in zip(entries, changes, strict=True)] == [
        ("claim_submitted", ["draft", "submitted"]),
        ("claim_validated", ["submitted", "validated"])]
    assert changes[1]["validated_by_id"] == [None, world.site_user.id]


def test_a_move_the_machine_does_not_declare_is_refused_in_plain_words(world):
    claim = world.approved()
    with pytest.raises(DomainError) as refused:
        validate_claim(world.session, claim, {}, world.site_user)
    assert str(refused.value) == (f"{claim.reference} is Approved by finance; it cannot "
                                  "become Validated by the site.")


def test_the_loser_of_a_race_changes_nothing(world, db):
    claim = world.submitted()
    # Someone else validated it a moment ago; this session still sees it submitted.
    db.session.execute(update(Claim).where(Claim.id == claim.id).values(status="validated")
                       .execution_options(synchronize_session=False))
    with pytest.raises(DomainError, match="was changed by someone else a moment ago"):
        apply_transition(db.session, CLAIM, claim, "validate", values={
            "validated_by_id": world.site_user.id})
    assert db.session.scalar(
        Claim.__table__.select().with_only_columns(Claim.validated_by_id)
        .where(Claim.id == claim.id)) is None


def test_a_bulk_move_is_all_or_nothing(world, db):
    world.bank()
    first, second = world.approved(), world.approved()
    db.session.commit()
    db.session.execute(update(Claim).where(Claim.id == second.id).values(status="in_batch")
                       .execution_options(synchronize_session=False))
    with pytest.raises(DomainError, match="^Taken meanwhile.$"):
        apply_transitions(db.session, CLAIM, [first, second], "batch", conflict="Taken meanwhile.")
    db.session.rollback()  # as perform does
    assert db.session.get(Claim, first.id).status == "approved"
    step = apply_transitions(db.session, CLAIM, [first], "batch",
                             changes={"batch": (None, "ENS-RB-TEST")})
    assert step.target == "in_batch" and first.status == "in_batch"
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="claim_in_batch").one()
    assert json.loads(entry.changes) == {"status": ["approved", "in_batch"], "batch": [None, "ENS-RB-TEST"]}


def test_a_bulk_move_refuses_records_in_another_state(world):
    draft = world.claim(lines=(("taxi", Decimal("10"), None),))
    with pytest.raises(DomainError, match=f"^{draft.reference} is Draft; it cannot become "
                                          "In a payment batch.$"):
        apply_transitions(world.session, CLAIM, [draft], "batch")
