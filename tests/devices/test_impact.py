"""Out-of-tolerance impact down to subject visits; reverse traceability from a standard."""

import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.devices.models import ImpactAssessment
from app.devices.queries import reverse_records, uses
from app.devices.services import impact as service
from app.devices.services.accountability import record_event
from app.devices.views.impact import impact_listing
from app.notify.models import Notice
from tests.factories import PASSWORD


@pytest.fixture
def world(db, dev, make):
    trial = make.trial()
    visits = [make.visit(trial, number=n, name=f"Visit {n}") for n in (1, 2)]
    site = make.site(trial)
    subjects = [make.subject(site) for _ in range(2)]
    people = dev.people()
    site_user = make.user(roles=("site",), sites=[site])
    monitor = make.user(roles=("monitor",))
    standard = dev.reference(people)
    device = dev.device(serial="BP-0001", kind="bp_monitor")
    plan = dev.plan(device, interval=180)
    start = clock.today() - timedelta(days=60)
    good = dev.calibrated(plan, people, standard, on=start)
    dev.at_site(device, site, people.technician)
    return dict(trial=trial, visits=visits, site=site, subjects=subjects, people=people,
                site_user=site_user, monitor=monitor, standard=standard, device=device,
                plan=plan, good=good, start=start)


def _use(db, w, subject, visit, days_ago):
    return record_event(db.session, w["device"], kind="use", subject_id=subject.id,
                        visit_id=visit.id, on_date=clock.today() - timedelta(days=days_ago),
                        by=w["site_user"])


def test_an_as_found_failure_lists_every_use_since_the_last_good_calibration(db, dev, world):
    w = world
    _use(db, w, w["subjects"][0], w["visits"][0], 70)  # before the good calibration
    _use(db, w, w["subjects"][0], w["visits"][1], 30)
    _use(db, w, w["subjects"][1], w["visits"][0], 20)
    failed = dev.calibrated(w["plan"], w["people"], w["standard"], found=D("5.8"),
                            left=D("5.0"))
    assert (failed.as_found_result, failed.as_left_result) == ("fail", "pass")
    impact = db.session.scalar(select(ImpactAssessment).where(
        ImpactAssessment.record_id == failed.id))
    assert (impact.status, impact.since, impact.until) == ("open", w["start"], clock.today())
    assert json.loads(impact.summary) == {"uses": 2, "subjects": 2, "visits": 2, "sites": 1,
                                          "trials": 1, "shipments": 0}
    rows = db.session.execute(uses(w["device"].id, impact.since, impact.until)).all()
    assert [(r.code, r.name) for r in rows] == [
        (w["subjects"][0].code, "Visit 2"), (w["subjects"][1].code, "Visit 1")]
    assert w["device"].calibration_failed is False  # adjusted: it left within tolerance
    told = db.session.scalars(select(Notice.user_id)).all()
    assert w["monitor"].id in told and w["people"].authoriser.id in told


def test_qa_closes_the_assessment_with_a_decision_and_signature(db, dev, world):
    w = world
    failed = dev.calibrated(w["plan"], w["people"], w["standard"], found=D("5.8"),
                            left=D("5.0"))
    impact = db.session.scalar(select(ImpactAssessment).where(
        ImpactAssessment.record_id == failed.id))
    with pytest.raises(DomainError, match="Write the conclusion"):
        service.close(db.session, impact, decision="no_impact", conclusion=" ",
                      signer=w["people"].authoriser, password=PASSWORD)
    service.close(db.session, impact, decision="data_flagged", conclusion="Sponsor told.",
                  signer=w["people"].authoriser, password=PASSWORD)
    assert (impact.status, impact.decision) == ("closed", "data_flagged")


def test_a_standard_out_of_tolerance_reaches_every_device_it_calibrated(db, dev, world):
    w = world
    _use(db, w, w["subjects"][0], w["visits"][0], 10)
    people, standard = w["people"], w["standard"]
    # the standard's own calibrations use a second standard
    upper = dev.reference(people)
    standard_plan = standard_plan_of(db, standard)
    dev.calibrated(standard_plan, people, upper, on=clock.today() - timedelta(days=90))
    failed = dev.calibrated(standard_plan, people, upper, found=D("6.0"), left=D("5.0"))
    impact = db.session.scalar(select(ImpactAssessment).where(
        ImpactAssessment.record_id == failed.id))
    assert json.loads(impact.summary)["devices_calibrated"] == 1
    reached = reverse_records(db.session, standard.id, impact.since, impact.until)
    assert [r.device.serial for r in reached] == ["BP-0001"]
    listing = impact_listing(db.session, standard, impact.since, impact.until, failed.id)
    assert [(r.device.serial, [tuple(s)[3:] for s in sites])
            for r, sites in listing["reverse"]] == [("BP-0001", [(1, 1)])]


def standard_plan_of(db, standard):
    from app.devices.models import CalibrationPlan

    return db.session.scalar(select(CalibrationPlan).where(
        CalibrationPlan.device_id == standard.id))
