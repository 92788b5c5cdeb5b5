"""The gate: kits of a lot a batch record produces wait for QA's release of that record."""

import pytest

from app.blinding.services import batch_records
from app.core.errors import DomainError
from app.stock.api import KitUse, check_kit_rules, depot_location_ids, eligible_kits
from app.stock.services.catalog import create_blinded_lot
from tests.factories import PASSWORD


def test_kits_of_a_blinded_lot_grouping_an_unreleased_placebo_lot_wait_for_qa(
        db, make, blinding, stock):
    trial = make.trial(blinded=True)
    site = make.site(trial)
    operator, checker = make.user(roles=("logistics",)), make.user(roles=("logistics",))
    qa = make.user(roles=("qp",))
    record = blinding.make_batch_record(trial, operator)
    blinded = create_blinded_lot(db.session, trial, "BL-GATE-1",
                                 [record.matched_lot, record.output_lot])
    depot = stock.make_depot()
    kits = stock.make_kits(trial, 2, lot=blinded, depot=depot)
    other = stock.make_kits(trial, 1, depot=depot)
    use = KitUse("ship", trial, site=site)

    def shippable():
        return {k.id for k in eligible_kits(db.session, trial, depot_location_ids(db.session, depot), use=use)}

    assert shippable() == {other[0].id}
    with pytest.raises(DomainError) as refused:
        check_kit_rules(db.session, kits[0], use)
    assert str(refused.value) == (f"Kit {kits[0].kit_number} cannot be used yet: the batch "
                                  "record of its lot BL-GATE-1 is not released by QA.")
    assert refused.value.field == "kit_number"
    blinding.produce_batch(record, operator, checker)
    assert shippable() == {other[0].id}  # awaiting QA is not released
    batch_records.release_record(db.session, record, by=qa, password=PASSWORD)
    assert shippable() == {k.id for k in kits} | {other[0].id}
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
