"""Stability budgets: whole-life exposure per kit, the QA proposal, departures with a reason."""

from decimal import Decimal

import pytest

from app.core.errors import DomainError
from app.shipments.services.logger import attach_logger_file
from app.shipments.services.qa import decide_on_kits, pending_lines, proposals
from app.shipments.services.receipt import receive_shipment, scan_at_receipt
from app.stock.services.catalog import save_product
from tests.factories import PASSWORD
from tests.shipments.factories import journey_started, make_dispatched, sample_logger

pytestmark = pytest.mark.usefixtures("english")


def _excursion_received(db, world):
    shipment = journey_started(db.session, make_dispatched(db.session, world))
    attach_logger_file(db.session, shipment, sample_logger(serial="LG-1"), filename="lg.csv",
                       serial="LG-1")
    for line in shipment.lines:
        scan_at_receipt(db.session, shipment, line.kit.kit_number, "ok", by=world.site_user)
    receive_shipment(db.session, shipment, by=world.site_user, password=PASSWORD,
                     logger_confirmed=True)
    return shipment


def test_qa_sees_the_budget_used_and_departs_from_the_proposal_only_with_a_reason(
        client, login, db, world):
    world.product.budget_hours, world.product.budget_low_c = Decimal("1.0"), Decimal("0.0")
    world.product.budget_high_c, world.product.absolute_min_c = Decimal("25.0"), Decimal("0.0")
    shipment = _excursion_received(db, world)
    lines = pending_lines(shipment)
    assert lines and all(line.kit.minutes_out == 65.0 for line in lines)
    proposed = proposals(shipment)
    assert {p.proposal for p in proposed.values()} == {"rejected"}  # 65 min > 60 min
    assert {p.percent for p in proposed.values()} == {108}
    with pytest.raises(DomainError) as refused:
        decide_on_kits(db.session, shipment, [lines[0].id], "released", "Stable per data",
                       signer=world.qp, password=PASSWORD)
    assert refused.value.field == "departure_reason"
    assert str(refused.value).startswith("The stability budget proposes the other decision")
    record = decide_on_kits(db.session, shipment, [lines[0].id], "released", "Stable",
                            signer=world.qp, password=PASSWORD,
                            departure_reason="New stability study allows 2 hours")
    assert record.departure_reason == "New stability study allows 2 hours"
    db.session.commit()
    login(world.qp)
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert 'id="budget-table"' in page and "65.0" in page and "(108 %)" in page
    kit_page = client.get(f"/stock/kits/{lines[1].kit_id}").get_data(as_text=True)
    assert "65.0 minutes out of range over its whole life" in kit_page


def test_a_stability_budget_with_bad_values_is_refused(db, world):
    product = world.product
    data = {"name": product.name, "units_per_kit": 28, "storage_min_c": Decimal(2),
            "storage_max_c": Decimal(8)}
    for values, field in (({"budget_hours": Decimal(-1)}, "budget_hours"),
                          ({"budget_hours": Decimal(72), "budget_low_c": Decimal(25),
                            "budget_high_c": Decimal(8)}, "budget_high_c")):
        with pytest.raises(DomainError) as refused:
            save_product(db.session, {**data, **values}, product)
        assert refused.value.field == field
    saved = save_product(db.session, {**data, "budget_hours": Decimal(72),
                                      "budget_low_c": Decimal(8), "budget_high_c": Decimal(25),
                                      "absolute_min_c": Decimal(0)}, product)
    assert saved.budget_hours == Decimal(72)
