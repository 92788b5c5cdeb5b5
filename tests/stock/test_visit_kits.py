"""Defect 2 of issue 10: dispensing by visit and kit type, replacements, the visit window."""

from datetime import timedelta

import pytest

from app.core import clock
from app.core.errors import DomainError
from app.core.templating import local_date
from app.stock.models import Dispensing
from app.stock.services.kittypes import save_kit_type, set_visit_kit_types
from app.stock.services.site import dispense_kit, propose_kit

TODAY = clock.today()


def _trial_with_two_kit_types(db, make, stock):
    """A site holding comparator kits that expire first and blinded study drug kits."""
    trial = make.trial()
    site = make.site(trial)
    study = stock.make_product(name="IBX-201 10 mg or placebo", kind="investigational")
    comparator = stock.make_product(name="Comparator vial", kind="comparator", units_per_kit=1)
    ibx = save_kit_type(db.session, trial, "IBX", "IBX-201 10 mg or placebo, 28 tablets",
                        [study.id])
    cmp_ = save_kit_type(db.session, trial, "CMP", "Comparator, 1 vial", [comparator.id])
    visits = {n: make.visit(trial, n, name=f"Visit {n}", day_offset=28 * (n - 1),
                            window_before=3, window_after=3) for n in (1, 2, 3)}
    for visit in visits.values():
        set_visit_kit_types(db.session, visit, {ibx: 1})
    comparator_kits = stock.make_site_kits(site, 4, product=comparator,
                                           expires_on=TODAY + timedelta(days=120))
    study_kits = stock.make_site_kits(site, 4, product=study,
                                      expires_on=TODAY + timedelta(days=300))
    # Visit 3 is due today.
    subject = make.subject(site, code="S-VIS-1", enrolment_date=TODAY - timedelta(days=56))
    pharmacist = make.user(roles=("site",), sites=[site])
    return trial, site, visits, (ibx, cmp_), comparator_kits, study_kits, subject, pharmacist


def test_a_subject_on_study_drug_is_proposed_study_drug_not_the_first_kit_to_expire(
        db, make, stock):
    trial, site, visits, types, comparator_kits, study_kits, subject, pharmacist = \
        _trial_with_two_kit_types(db, make, stock)
    first = propose_kit(db.session, subject, visit=visits[2])
    dispense_kit(db.session, subject, visits[2], first, first.kit_number, by=pharmacist,
                 off_window_reason="Visit 2 moved by the subject")
    proposed = propose_kit(db.session, subject, visit=visits[3])
    assert proposed in study_kits and first in study_kits
    # the scan of a comparator kit is refused with the reason
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, subject, visits[3], proposed, comparator_kits[0].kit_number,
                     by=pharmacist)
    assert (str(refused.value), refused.value.field) == (
        f"Kit {comparator_kits[0].kit_number} is of type CMP · Comparator, 1 vial; visit 3 "
        "dispenses IBX · IBX-201 10 mg or placebo, 28 tablets. Nothing was dispensed.",
        "kit_number")
    given = dispense_kit(db.session, subject, visits[3], proposed, proposed.kit_number,
                         by=pharmacist)
    assert given.kit in study_kits and given.replaces_id is None


def test_a_second_kit_at_the_same_visit_only_as_a_replacement_with_its_reason(db, make, stock):
    trial, site, visits, types, comparator_kits, study_kits, subject, pharmacist = \
        _trial_with_two_kit_types(db, make, stock)
    first = propose_kit(db.session, subject, visit=visits[3])
    original = dispense_kit(db.session, subject, visits[3], first, first.kit_number,
                            by=pharmacist)
    assert propose_kit(db.session, subject, visit=visits[3]) is None  # the visit is complete
    second = propose_kit(db.session, subject, visit=visits[3], kit_type=types[0])
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, subject, visits[3], second, second.kit_number, by=pharmacist)
    assert (str(refused.value), refused.value.field) == (
        f"S-VIS-1 already received kit {first.kit_number} at visit 3 on {local_date(TODAY)}. "
        "A second kit is only given as a replacement: choose why and explain it.",
        "replacement_reason")
    with pytest.raises(DomainError, match="Explain what happened"):
        dispense_kit(db.session, subject, visits[3], second, second.kit_number, by=pharmacist,
                     replacement_reason="damaged")
    replacement = dispense_kit(db.session, subject, visits[3], second, second.kit_number,
                               by=pharmacist, replacement_reason="damaged",
                               explanation="Bottle dropped and broke at the pharmacy")
    assert (replacement.replaces_id, replacement.replacement_reason) == (original.id, "damaged")
    assert db.session.query(Dispensing).filter_by(subject_id=subject.id).count() == 2


def test_dispensing_outside_the_visit_window_asks_for_a_reason(db, make, stock):
    trial, site, visits, types, comparator_kits, study_kits, subject, pharmacist = \
        _trial_with_two_kit_types(db, make, stock)
    kit = propose_kit(db.session, subject, visit=visits[1])
    other = next(k for k in comparator_kits + study_kits if k.id != kit.id)
    with pytest.raises(DomainError) as wrong:  # the wrong kit in hand is said first
        dispense_kit(db.session, subject, visits[1], kit, other.kit_number, by=pharmacist)
    assert wrong.value.field == "kit_number"
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, subject, visits[1], kit, kit.kit_number, by=pharmacist)
    due = TODAY - timedelta(days=56)
    assert (str(refused.value), refused.value.field) == (
        f"Visit 1 of S-VIS-1 was due on {local_date(due)} (window "
        f"{local_date(due - timedelta(days=3))} to {local_date(due + timedelta(days=3))}); "
        f"today is {local_date(TODAY)}. Give the reason for dispensing outside the window.",
        "off_window_reason")
    given = dispense_kit(db.session, subject, visits[1], kit, kit.kit_number, by=pharmacist,
                         off_window_reason="Subject was in hospital")
    assert given.off_window_reason == "Subject was in hospital"


def test_kit_type_bad_input(db, make, stock):
    trial = make.trial()
    product = stock.make_product()
    with pytest.raises(DomainError, match="at least one product"):
        save_kit_type(db.session, trial, "IBX", "Study drug", [])
    save_kit_type(db.session, trial, "IBX", "Study drug", [product.id])
    with pytest.raises(DomainError, match="has this code"):
        save_kit_type(db.session, trial, "ibx", "Other", [stock.make_product().id])
    with pytest.raises(DomainError, match="belongs to one kit type"):
        save_kit_type(db.session, trial, "IB2", "Other", [product.id])


def test_the_pharmacist_dispenses_by_visit_and_sees_the_history(app, client, db, make, stock,
                                                                login):
    trial, site, visits, types, comparator_kits, study_kits, subject, pharmacist = \
        _trial_with_two_kit_types(db, make, stock)
    db.session.commit()
    login(pharmacist)
    url = f"/stock/sites/{site.id}/dispense"
    page = client.get(url, query_string={"subject_id": subject.id,
                                         "visit_id": visits[3].id}).get_data(as_text=True)
    kit = next(k for k in study_kits if k.kit_number in page)
    assert "IBX · IBX-201 10 mg or placebo, 28 tablets" in page
    with client.application.test_request_context():
        show = client.application.jinja_env.filters["d"]
        window = f"{show(TODAY - timedelta(days=3))} – {show(TODAY + timedelta(days=3))}"
    assert window in page and "1 × IBX" in page  # the visit's window and its kit type
    form = {"subject_id": subject.id, "visit_id": visits[3].id, "proposed_kit_id": kit.id}
    page = client.post(url, data={**form, "kit_number": comparator_kits[0].kit_number}) \
        .get_data(as_text=True)
    assert "is of type CMP" in page and comparator_kits[0].kit_number in page  # kept as typed
    assert client.post(url, data={**form, "kit_number": kit.kit_number}).status_code == 302
    # a second kit at the visit: refused without the replacement reason, shown in the history
    page = client.get(url, query_string={"subject_id": subject.id, "visit_id": visits[3].id,
                                         "replacement_reason": "lost"}).get_data(as_text=True)
    second = next(k for k in study_kits if k.kit_number in page and k.id != kit.id)
    response = client.post(url, data={**form, "proposed_kit_id": second.id,
                                      "replacement_reason": "lost",
                                      "kit_number": second.kit_number})
    assert "Explain what happened" in response.get_data(as_text=True)
    response = client.post(url, data={**form, "proposed_kit_id": second.id,
                                      "replacement_reason": "lost",
                                      "explanation": "Lost on the bus",
                                      "kit_number": second.kit_number})
    assert response.status_code == 302
    page = client.get(url, query_string={"subject_id": subject.id}).get_data(as_text=True)
    assert kit.kit_number in page and "Lost on the bus" in page and "replacement" in page


def test_the_expiry_report_paginates(client, db, make, stock, login_as):
    trial = make.trial()
    depot = stock.make_depot()
    for days in range(120):  # 120 lots expiring within the period: 120 rows
        stock.make_kits(trial, 1, depot=depot, expires_on=TODAY + timedelta(days=days + 1))
    db.session.commit()
    login_as("logistics")
    first = client.get("/stock/expiry?days=200").get_data(as_text=True)
    assert "120 results · page 1 of 2" in first
    second = client.get("/stock/expiry?days=200&page=2").get_data(as_text=True)
    assert "120 results · page 2 of 2" in second and len(second) < len(first)
