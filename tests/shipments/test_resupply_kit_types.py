"""Defect 3 of issue 10: resupply per kit type, one definition on both screens."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.shipments.models import Shipment
from app.shipments.services.picking import propose_kits
from app.shipments.services.resupply import open_needs, propose_resupply_shipments
from app.stock.services.catalog import save_resupply_level
from app.stock.services.kittypes import save_kit_type, save_kit_type_level
from tests.stock.factories import make_kits, make_lot, make_product, ship_to_site

TODAY = clock.today()


def _short_of_study_drug(db, world):
    """The site holds comparator kits but only 1 study drug kit; the depot has both kinds,
    comparator kits expiring first."""
    session = db.session
    comparator = make_product(session, name="Comparator 1 vial", kind="comparator",
                              storage_min_c=2, storage_max_c=8, units_per_kit=1)
    study = world.product
    ibx = save_kit_type(session, world.trial, "IBX", "IBX-201 10 mg or placebo", [study.id])
    cmp_ = save_kit_type(session, world.trial, "CMP", "Comparator, 1 vial", [comparator.id])
    early = make_lot(session, comparator, world.trial, expires_on=TODAY + timedelta(days=200))
    make_kits(session, world.trial, 8, lot=early, depot=world.depot, prefix="CMPD")
    at_site = make_kits(session, world.trial, 6, lot=early, depot=world.depot, prefix="CMPS")
    ship_to_site(session, at_site + [world.kits[-1]], world.site)
    save_kit_type_level(session, world.site, ibx, 2, 6)
    save_kit_type_level(session, world.site, cmp_, 2, 6)
    save_resupply_level(session, world.site, 3, 14)  # the old per-site level: no longer used
    session.commit()
    return ibx, cmp_


def test_a_site_short_of_study_drug_is_resupplied_with_study_drug_only(db, world):
    ibx, cmp_ = _short_of_study_drug(db, world)
    rows = open_needs(db.session, [world.trial])
    assert [(r.need.kit_type.code, r.need.dispensable, r.to_ship) for r in rows] == \
        [("IBX", 1, 5)]
    created = propose_resupply_shipments(db.session, world.depot, [rows[0].need.key],
                                         by=world.logistics)
    assert [(s.kit_type_id, s.requested_kits) for s in created] == [(ibx.id, 5)]
    propose_kits(db.session, created[0])
    products = {line.kit.product_id for line in created[0].lines}
    assert products == {world.product.id} and len(created[0].lines) == 5
    # the proposal is now on its way: nothing more to ship
    assert [r.to_ship for r in open_needs(db.session, [world.trial])] == [0]


def test_both_resupply_screens_give_the_same_numbers_and_link_each_other(client, login, db,
                                                                         world):
    _short_of_study_drug(db, world)
    login(world.logistics)
    needs = client.get("/shipments/resupply").get_data(as_text=True)
    levels = client.get(f"/stock/resupply?trial={world.trial.id}").get_data(as_text=True)
    assert 'href="/stock/resupply"' in needs and 'href="/shipments/resupply"' in levels
    row = re.search(r'<tr data-need="(\d+):(\d+)">(.*?)</tr>', needs, re.S)
    cells = re.findall(r'<td class="text-end">(\d+)</td>', row.group(3))
    assert cells == ["1", "2", "6", "0", "5"]  # dispensable, min, max, on their way, to ship
    level = re.search(rf'<tr data-level="{row.group(1)}:{row.group(2)}">(.*?)</tr>', levels,
                      re.S).group(1)
    assert ">1</a>" in level and "At or below the minimum" in level


def test_a_minimum_above_the_maximum_is_refused_and_nothing_saved(client, login, db, world):
    ibx, cmp_ = _short_of_study_drug(db, world)
    login(world.logistics)
    prefix = f"s{world.site.id}t{ibx.id}"
    page = client.post(f"/stock/resupply/sites/{world.site.id}?kit_type={ibx.id}",
                       data={f"{prefix}-minimum": 9, f"{prefix}-maximum": 4},
                       follow_redirects=True).get_data(as_text=True)
    assert "The maximum must be more than the minimum" in page
    rows = open_needs(db.session, [world.trial])
    assert [(r.need.minimum, r.need.maximum) for r in rows] == [(2, 6)]
    assert db.session.scalar(select(Shipment.id)) is None
