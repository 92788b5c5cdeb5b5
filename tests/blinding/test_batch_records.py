"""Masking and placebo batch records: production, second-person checks, QA release, the gate."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.blinding.services import batch_lines, batch_records
from app.core.errors import DomainError
from app.esign.models import Signature
from tests.factories import PASSWORD


@pytest.fixture
def people(make):
    return {"operator": make.user(roles=("logistics",)), "checker": make.user(roles=("logistics",)),
            "qa": make.user(roles=("qp",))}


def test_a_batch_record_is_produced_checked_and_released_by_qa(db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    assert record.status == "draft"
    blinding.produce_batch(record, people["operator"], people["checker"])
    assert record.status == "awaiting_qa"
    assert record.yield_pct == Decimal("98.50") and record.yield_within_limits
    step = record.steps[0]
    assert (step.operator_id, step.checker_id) == (people["operator"].id, people["checker"].id)
    batch_records.release_record(db.session, record, by=people["qa"], password=PASSWORD)
    assert record.status == "released" and record.released_by_id == people["qa"].id
    meanings = db.session.scalars(select(Signature.meaning).where(
        Signature.entity_type == "batch_record")).all()
    assert meanings == ["released"]
    step_meanings = sorted(db.session.scalars(select(Signature.meaning).where(
        Signature.entity_type == "batch_step")))
    assert step_meanings == ["performed", "verified"]
    db.session.commit()
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "batch_record").order_by(AuditEntry.id))]
    assert [a for a in actions if a.startswith("batch_record_")] == [
        "batch_record_start", "batch_record_submit", "batch_record_release"]
    assert actions[0] == "create"


def test_the_operator_cannot_check_their_own_step(db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    batch_records.start_production(db.session, record, by=people["operator"])
    step = record.steps[0]
    batch_lines.perform_step(db.session, step, by=people["operator"], password=PASSWORD)
    with pytest.raises(DomainError, match="The operator cannot check their own step") as refused:
        batch_lines.check_step(db.session, step, by=people["operator"], password=PASSWORD)
    assert refused.value.field == "password"
    assert step.checker_id is None


def test_an_unbalanced_reconciliation_needs_a_deviation(db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    batch_records.start_production(db.session, record, by=people["operator"])
    material = record.materials[0]
    with pytest.raises(DomainError, match=r"Issued 500 g but used \+ returned \+ wasted make "
                                          r"490 g: the reconciliation does not balance") as no:
        batch_lines.reconcile_material(db.session, material, by=people["operator"],
                                       used=Decimal("480"), returned=Decimal("5"),
                                       wasted=Decimal("5"))
    assert no.value.field == "deviation" and material.used is None
    batch_lines.reconcile_material(db.session, material, by=people["operator"],
                                   used=Decimal("480"), returned=Decimal("5"),
                                   wasted=Decimal("5"), deviation="10 g spilt in the hopper")
    assert material.difference == Decimal("10")
    assert (material.deviation.topic, material.deviation.status) == ("material", "open")


def test_an_out_of_limit_check_needs_a_deviation(db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    batch_records.start_production(db.session, record, by=people["operator"])
    weight = record.checks[1]
    with pytest.raises(DomainError, match="The result is outside the limits: describe the "
                                          "deviation.") as refused:
        batch_lines.record_check(db.session, weight, by=people["operator"],
                                 result=Decimal("530"))
    assert refused.value.field == "deviation" and weight.checked_at is None
    appearance = record.checks[0]
    with pytest.raises(DomainError, match="Describe how the appearance differs."):
        batch_lines.record_check(db.session, appearance, by=people["operator"],
                                 appearance_match=False)
    batch_lines.record_check(db.session, weight, by=people["operator"], result=Decimal("530"),
                             deviation="Fill weight high on capsules 200-260")
    assert weight.within_limits is False and weight.deviation.number == 1


def test_release_is_refused_with_an_open_deviation_a_wrong_password_or_by_the_operator(
        db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    blinding.produce_batch(record, people["operator"], people["checker"])
    deviation = batch_lines.raise_deviation(db.session, record, by=people["operator"],
                                            description="Label roll changed mid-run")
    with pytest.raises(DomainError, match=r"Deviations still open: #1. QA closes them"):
        batch_records.release_record(db.session, record, by=people["qa"], password=PASSWORD)
    with pytest.raises(DomainError, match="Only QA may close a deviation."):
        batch_lines.close_deviation(db.session, deviation, by=people["operator"],
                                    impact="None", capa="None")
    batch_lines.close_deviation(db.session, deviation, by=people["qa"],
                                impact="No impact on quality", capa="Roll change SOP updated")
    with pytest.raises(DomainError, match="password"):
        batch_records.release_record(db.session, record, by=people["qa"], password="wrong")
    assert record.status == "awaiting_qa"
    with pytest.raises(DomainError, match="Only QA may release"):
        batch_records.release_record(db.session, record, by=people["operator"],
                                     password=PASSWORD)


def test_missing_results_stop_the_hand_over_to_qa(db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    batch_records.start_production(db.session, record, by=people["operator"])
    with pytest.raises(DomainError) as refused:
        batch_records.submit_for_release(db.session, record, by=people["operator"])
    assert str(refused.value) == (
        "Step 1 is not done. Check “Colour and size” has no result. Check “Fill weight” has "
        "no result. Material Microcrystalline cellulose (lot MCC-2201) is not reconciled. "
        "The yield is not recorded.")


def test_a_released_record_never_changes(db, blinding, people):
    record = blinding.make_batch_record(by=people["operator"])
    blinding.produce_batch(record, people["operator"], people["checker"])
    batch_records.release_record(db.session, record, by=people["qa"], password=PASSWORD)
    message = f"Batch record {record.number} is released: it can no longer change."
    with pytest.raises(DomainError, match=message):
        batch_lines.add_material(db.session, record, material="Gelatin", supplier_lot="G1",
                                 unit="g", issued=Decimal("1"))
    with pytest.raises(DomainError, match=message):
        batch_lines.raise_deviation(db.session, record, by=people["qa"], description="late")
    with pytest.raises(DomainError, match=message):
        batch_records.reject_record(db.session, record, by=people["qa"], password=PASSWORD,
                                    reason="second thoughts")


def test_the_header_is_checked_in_plain_words(db, make, blinding, stock, people):
    trial = make.trial(blinded=True)
    released = stock.make_lot(trial=trial)
    with pytest.raises(DomainError, match="is not in quarantine") as refused:
        blinding.make_batch_record(trial, people["operator"], output=released)
    assert refused.value.field == "output_lot_id"
    record = blinding.make_batch_record(trial, people["operator"])
    with pytest.raises(DomainError, match="already produced by another batch record"):
        blinding.make_batch_record(trial, people["operator"], output=record.output_lot)
    with pytest.raises(DomainError, match="Another batch record already has this number"):
        blinding.make_batch_record(trial, people["operator"], number=record.number)
