"""The gate: kits of a lot a batch record produces wait for QA's release of that record."""

import pytest

from app.blinding.services import batch_records
from app.core.errors import DomainError
from app.stock.api import (
    KitUse,
    check_kit_rules,
    check_lot_rules,
    depot_location_ids,
    eligible_kits,
)
from app.stock.services.catalog import change_lot_status, create_blinded_lot
from tests.factories import PASSWORD


def test_an_unreleased_record_s_lot_joins_no_blinded_lot_and_is_neither_released_nor_certified(
        db, make, blinding, stock):
    trial = make.trial(blinded=True)
    site = make.site(trial)
    operator, checker = make.user(roles=("logistics",)), make.user(roles=("logistics",))
    qa = make.user(roles=("qp",))
    record = blinding.make_batch_record(trial, operator)
    lot = record.output_lot
    with pytest.raises(DomainError) as refused:
        create_blinded_lot(db.session, trial, "BL-GATE-1", [record.matched_lot, lot])
    assert (str(refused.value), refused.value.field) == (
        f"Lot {lot.number} cannot join a blinded lot yet: its batch record {record.number} is "
        "not released by QA.", "members")
    with pytest.raises(DomainError) as refused:
        change_lot_status(db.session, lot, "release", reason="Looks fine", by=qa)
    assert str(refused.value) == (f"Lot {lot.number} cannot be released yet: its batch record "
                                  f"{record.number} is not released by QA.")
    with pytest.raises(DomainError) as refused:
        check_lot_rules(db.session, lot, "certify")
    assert str(refused.value) == (f"Lot {lot.number} cannot be certified yet: its batch record "
                                  f"{record.number} is not released by QA.")
    assert lot.status == "quarantine"

    blinding.produce_batch(record, operator, checker)
    with pytest.raises(DomainError, match="is not released by QA"):
        check_lot_rules(db.session, lot, "group")  # awaiting QA is not released
    batch_records.release_record(db.session, record, by=qa, password=PASSWORD)
    blinded = create_blinded_lot(db.session, trial, "BL-GATE-1", [record.matched_lot, lot])
    check_lot_rules(db.session, blinded, "release")
    depot = stock.make_depot()
    kits = stock.make_kits(trial, 2, lot=blinded, depot=depot)
    use = KitUse("ship", trial, site=site)
    shippable = {k.id for k in eligible_kits(
        db.session, trial, depot_location_ids(db.session, depot), use=use)}
    assert shippable == {k.id for k in kits}
    check_kit_rules(db.session, kits[0], use)


def test_kits_of_the_output_lot_itself_and_of_a_rejected_record_stay_unusable(
        db, make, blinding, stock):
    trial = make.trial(blinded=True)
    site = make.site(trial)
    operator, checker = make.user(roles=("logistics",)), make.user(roles=("logistics",))
    record = blinding.make_batch_record(trial, operator)
    kit = stock.make_kits(trial, 1, lot=record.output_lot)[0]
    blinding.produce_batch(record, operator, checker)
    batch_records.reject_record(db.session, record, by=make.user(roles=("qp",)),
                                password=PASSWORD, reason="Capsule colour off")
    for purpose in ("ship", "dispense"):
        with pytest.raises(DomainError, match="is not released by QA"):
            check_kit_rules(db.session, kit, KitUse(purpose, trial, site=site))
