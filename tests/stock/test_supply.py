"""Eligible kits (FEFO, DNS/DND), resupply needs, dispensing and returns."""

from datetime import date, timedelta

import pytest

from app.core import clock
from app.core.errors import DomainError
from app.stock.services.catalog import save_resupply_level, save_supply_settings
from app.stock.services.ledger import transition
from app.stock.services.site import dispense_kit, propose_kit, return_kit
from app.stock.services.supply import eligible_kits, expiry_status, resupply_needs

TODAY = clock.today()


def test_expiry_status_takes_effect_at_the_end_of_the_day():
    expiry = date(2026, 6, 30)
    assert expiry_status(expiry, 60, 30, date(2026, 6, 30)) == "past_dnd"
    assert expiry_status(expiry, 60, 30, date(2026, 7, 1)) == "expired"
    assert expiry_status(expiry, 60, 30, date(2026, 6, 1)) == "past_dnd"
    assert expiry_status(expiry, 60, 30, date(2026, 5, 31)) == "past_dns"
    assert expiry_status(expiry, 60, 30, date(2026, 5, 2)) == "past_dns"
    assert expiry_status(expiry, 60, 30, date(2026, 5, 1)) == "ok"


def test_dns_must_be_longer_than_dnd(db, make):
    trial = make.trial()
    message = ("The do-not-ship window must be longer than the do-not-dispense window, and "
               "neither may be negative.")
    for dns, dnd in ((30, 30), (10, -1)):
        with pytest.raises(DomainError) as refused:
            save_supply_settings(db.session, trial, dns, dnd, "setup")
        assert (str(refused.value), refused.value.field) == (message, "dns_days")
    assert save_supply_settings(db.session, trial, 45, 15, "setup").dns_days == 45


def test_eligible_kits_are_first_expiry_first_out_and_skip_kits_past_dns(db, make, stock):
    trial = make.trial()
    save_supply_settings(db.session, trial, 60, 30, "setup")
    depot = stock.make_depot()
    late = stock.make_kits(trial, 2, depot=depot, expires_on=TODAY + timedelta(days=300))
    early = stock.make_kits(trial, 2, depot=depot, expires_on=TODAY + timedelta(days=100))
    stock.make_kits(trial, 2, depot=depot, expires_on=TODAY + timedelta(days=45))  # past DNS
    transition(db.session, early[0], "quarantined", "quarantine")
    kits = eligible_kits(db.session, trial, [depot.id])
    assert [k.id for k in kits] == [early[1].id] + sorted(
        [k.id for k in late], key=lambda i: next(k.kit_number for k in late if k.id == i))
    assert len(eligible_kits(db.session, trial, [depot.id], window="dnd")) == 5


def test_resupply_counts_only_kits_dispensable_after_dnd(db, make, stock):
    trial = make.trial()
    save_supply_settings(db.session, trial, 60, 30, "setup")
    short, full = make.site(trial), make.site(trial)
    stock.make_site_kits(short, 2, expires_on=TODAY + timedelta(days=200))
    stock.make_site_kits(short, 3, expires_on=TODAY + timedelta(days=20))  # past DND
    stock.make_site_kits(full, 6, expires_on=TODAY + timedelta(days=200))
    save_resupply_level(db.session, short, 2, 8)
    save_resupply_level(db.session, full, 2, 8)
    needs = resupply_needs(db.session, trial)
    assert [(n.site.id, n.dispensable, n.quantity) for n in needs] == [(short.id, 2, 6)]
    with pytest.raises(DomainError) as refused:
        save_resupply_level(db.session, full, 5, 5)
    assert (str(refused.value), refused.value.field) == (
        "The maximum must be more than the minimum, and the minimum may not be negative.",
        "maximum")


def _site_setup(make, stock, db, count=2, **lot_values):
    trial = make.trial()
    visit = make.visit(trial, 1)
    site = make.site(trial)
    subject = make.subject(site, enrolment_date=None)
    user = make.user(roles=("site",), sites=[site])
    kits = stock.make_site_kits(site, count, **lot_values)
    return trial, visit, site, subject, user, kits


def test_dispense_proposes_the_earliest_expiry_and_needs_the_scanned_number(db, make, stock):
    trial, visit, site, subject, user, kits = _site_setup(make, stock, db)
    proposed = propose_kit(db.session, subject)
    assert proposed == min(kits, key=lambda k: k.kit_number)  # same expiry: lowest number
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, subject, visit, proposed, "9999999", by=user)
    assert (str(refused.value), refused.value.field) == (
        f"The kit number you scanned (9999999) is not the proposed kit ({proposed.kit_number})."
        " Nothing was dispensed.", "kit_number")
    assert proposed.state == "received"
    dispensing = dispense_kit(db.session, subject, visit, proposed, proposed.kit_number,
                              by=user)
    assert dispensing.kit.state == "dispensed" and dispensing.visit_id == visit.id
    with pytest.raises(DomainError, match="scanned twice"):
        dispense_kit(db.session, subject, visit, propose_kit(db.session, subject),
                     proposed.kit_number, by=user)


def test_dispensing_at_the_wrong_site_is_refused(db, make, stock):
    trial, visit, site, subject, user, kits = _site_setup(make, stock, db)
    other_site = make.site(trial)
    other_subject = make.subject(other_site, enrolment_date=None)
    with pytest.raises(DomainError, match="not at this subject's site"):
        dispense_kit(db.session, other_subject, visit, kits[0], kits[0].kit_number, by=None)
    with pytest.raises(DomainError, match="your own sites"):
        dispense_kit(db.session, other_subject, visit, kits[0], kits[0].kit_number, by=user)


def test_dispensing_a_quarantined_or_expired_kit_is_refused(db, make, stock):
    trial, visit, site, subject, user, kits = _site_setup(make, stock, db)
    transition(db.session, kits[0], "quarantined", "quarantine")
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, subject, visit, propose_kit(db.session, subject),
                     kits[0].kit_number, by=user)
    assert (str(refused.value), refused.value.field) == (
        f"Kit {kits[0].kit_number} is Quarantined and cannot be dispensed; only available kits"
        " can.", "kit_number")
    short = stock.make_site_kits(site, 1, expires_on=TODAY + timedelta(days=5))[0]
    with pytest.raises(DomainError, match="do-not-dispense"):
        dispense_kit(db.session, subject, visit, short, short.kit_number, by=user)
    transition(db.session, short, "expired", "expiry")
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, subject, visit, propose_kit(db.session, subject),
                     short.kit_number, by=user)
    assert str(refused.value) == (f"Kit {short.kit_number} is Expired and cannot be dispensed;"
                                  " only available kits can.")


def test_visit_outside_the_schedule_is_refused(db, make, stock):
    trial, visit, site, subject, user, kits = _site_setup(make, stock, db)
    foreign_visit = make.visit(make.trial(), 1)
    with pytest.raises(DomainError, match="schedule"):
        dispense_kit(db.session, subject, foreign_visit, kits[0], kits[0].kit_number, by=user)


def test_a_return_records_units_and_needs_an_explanation_for_missing_ones(db, make, stock):
    trial, visit, site, subject, user, kits = _site_setup(make, stock, db)
    kit = propose_kit(db.session, subject)
    with pytest.raises(DomainError, match="not been dispensed"):
        return_kit(db.session, kit, units_returned=1, units_missing=0, condition="unused")
    dispense_kit(db.session, subject, visit, kit, kit.kit_number, by=user)
    with pytest.raises(DomainError, match="cannot be more"):
        return_kit(db.session, kit, units_returned=20, units_missing=10, condition="opened")
    with pytest.raises(DomainError, match="negative"):
        return_kit(db.session, kit, units_returned=-1, units_missing=0, condition="opened")
    with pytest.raises(DomainError, match="Explain"):
        return_kit(db.session, kit, units_returned=10, units_missing=2, condition="opened")
    kit_return = return_kit(db.session, kit, units_returned=10, units_missing=2,
                            condition="opened", explanation="subject lost a blister", by=user)
    assert kit.state == "returned" and kit_return.units_missing == 2
