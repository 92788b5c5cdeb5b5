"""Blinding records for tests: kit arms, verified lists, randomised subjects."""

from app.blinding.models import KitArm
from app.blinding.services.lists import generate_list, verify_list
from app.core.models import utcnow
from tests import factories
from tests.stock import factories as stock_factories

TWO_ARMS = {"arms": [["A", 1], ["B", 1]], "block_sizes": [2, 4], "per_stratum": 40,
            "strata": [{"name": "sex", "levels": ["M", "F"]}]}


def give_arms(session, kits, arms):
    """Record the arm of each kit (arms cycles over the kits)."""
    now = utcnow()
    for index, kit in enumerate(kits):
        session.add(KitArm(kit_id=kit.id, arm=arms[index % len(arms)], recorded_at=now))
    session.flush()
    return kits


def make_verified_list(session, trial, parameters=None, purpose="production", seed="test",
                       name=None):
    """Generate a list as one unblinded user and verify it as another."""
    maker = factories.make_user(session, roles=("unblinded",))
    checker = factories.make_user(session, roles=("unblinded",))
    rlist = generate_list(session, trial, name=name or f"L{factories.next_number()}",
                          purpose=purpose, parameters=parameters or TWO_ARMS, by=maker,
                          seed=seed)
    return verify_list(session, rlist, by=checker, password=factories.PASSWORD)


def make_world(session, arms=("A", "B"), kits_per_arm=2):
    """A blinded trial, a site with kits of each arm, a verified list, a site user."""
    trial = factories.make_trial(session, blinded=True)
    visit = factories.make_visit(session, trial, 1)
    site = factories.make_site(session, trial)
    kits = stock_factories.make_site_kits(session, site, kits_per_arm * len(arms))
    give_arms(session, kits, list(arms))
    rlist = make_verified_list(session, trial)
    user = factories.make_user(session, roles=("site",), sites=[site])
    return dict(trial=trial, visit=visit, site=site, kits=kits, rlist=rlist, user=user)


def make_batch_record(session, trial=None, by=None, *, kind="placebo", matched=None,
                      output=None, number=None):
    """A draft placebo batch record with a material, two steps and two checks."""
    from decimal import Decimal

    from app.blinding.services import batch_lines, batch_records

    trial = trial or factories.make_trial(session, blinded=True)
    by = by or factories.make_user(session, roles=("logistics",))
    matched = matched or stock_factories.make_lot(session, trial=trial)
    output = output or stock_factories.make_lot(
        session, product=stock_factories.make_product(session, kind="placebo"), trial=trial,
        status="quarantine")
    record = batch_records.create_record(session, trial, {
        "number": number or f"BR-{factories.next_number():04d}", "sponsor_order": "PO-77",
        "kind": kind, "description": "Placebo capsules matching the active batch",
        "matched_lot_id": matched.id, "output_lot_id": output.id, "quantity_unit": "capsules",
        "expected_quantity": Decimal("1000"), "yield_min_pct": Decimal("95"),
        "yield_max_pct": Decimal("101")}, by=by)
    batch_lines.add_material(session, record, material="Microcrystalline cellulose",
                             supplier_lot="MCC-2201", unit="g", issued=Decimal("500"))
    batch_lines.add_step(session, record, instruction="Fill capsules")
    batch_lines.add_check(session, record, kind="appearance", name="Colour and size")
    batch_lines.add_check(session, record, kind="weight", name="Fill weight", unit="mg",
                          lower=Decimal("480"), upper=Decimal("520"))
    return record


def produce_batch(session, record, operator, checker):
    """Start production and complete every line within limits; hand to QA."""
    from decimal import Decimal

    from app.blinding.services import batch_lines, batch_records

    batch_records.start_production(session, record, by=operator)
    for step in record.steps:
        batch_lines.perform_step(session, step, by=operator, password=factories.PASSWORD)
        batch_lines.check_step(session, step, by=checker, password=factories.PASSWORD)
    for check in record.checks:
        if check.kind == "appearance":
            batch_lines.record_check(session, check, by=operator, appearance_match=True)
        else:
            batch_lines.record_check(session, check, by=operator, result=Decimal("501.5"))
    for material in record.materials:
        batch_lines.reconcile_material(session, material, by=operator, used=Decimal("480"),
                                       returned=Decimal("15"), wasted=Decimal("5"))
    batch_lines.record_yield(session, record, by=operator, actual=Decimal("985"))
    batch_records.submit_for_release(session, record, by=operator)
    return record
