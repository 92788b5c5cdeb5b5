"""Calibration: decision rules, next due computed by us, bad input refused, nothing half-saved."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.devices.models import CalibrationPoint, CalibrationRecord
from app.devices.services import calibration
from app.devices.services.calibration import PointInput
from app.devices.services.decision import decide
from app.devices.services.devices import move, refusal
from tests.devices.factories import record_fields


@pytest.mark.parametrize("rule, expected", [
    ("simple", "pass"), ("guard_band", "fail"), ("ilac_g8", "conditional_pass")])
def test_the_recipe_example_gives_pass_fail_conditional_pass(rule, expected):
    assert decide(D("0.45"), D("0.5"), D("0.12"), rule) == expected


@pytest.mark.parametrize("error, expected", [
    (D("0.30"), "pass"), (D("0.50"), "conditional_pass"), (D("0.55"), "conditional_fail"),
    (D("-0.62"), "conditional_fail"), (D("0.63"), "fail")])
def test_ilac_g8_has_four_outcomes(error, expected):
    assert decide(error, D("0.5"), D("0.12"), "ilac_g8") == expected


def test_next_due_comes_from_the_last_good_calibration_and_the_interval(db, dev):
    people = dev.people()
    standard = dev.reference(people)
    device = dev.device()
    plan = dev.plan(device, interval=90)
    on = clock.today() - timedelta(days=10)
    record = dev.calibrated(plan, people, standard, on=on)
    assert (record.status, record.as_found_result, record.as_left_result) == (
        "authorised", "pass", "pass")
    assert (plan.last_done_on, plan.next_due) == (on, on + timedelta(days=90))


def test_an_overdue_device_is_refused_with_the_reason(db, dev):
    device = dev.device(serial="TH-OVERDUE")
    dev.plan(device, first_due=clock.today() - timedelta(days=1))
    message = refusal(db.session, device, "ship")
    assert message.startswith("Device TH-OVERDUE is overdue for calibration since ")
    with pytest.raises(DomainError, match="overdue for calibration"):
        move(db.session, device, "allocate")
    assert device.status == "in_stock"


def _record(db, plan, standard, people, points, **overrides):
    fields = record_fields()
    fields.update(overrides)
    return calibration.record_calibration(db.session, plan, points=points,
                                          standards=[standard.serial], by=people.technician,
                                          **fields)


def _count(db):
    return (db.session.scalar(select(func.count()).select_from(CalibrationRecord)),
            db.session.scalar(select(func.count()).select_from(CalibrationPoint)))


@pytest.mark.parametrize("points, overrides, field, message", [
    ([PointInput("Temperature", D("5"), D("5.1"), None, D("0.1"), D("2"))],
     {"calibrated_on": clock.today() + timedelta(days=1)}, "calibrated_on",
     "This date is in the future."),
    ([PointInput("Temperature", D("5"), None, D("5.0"), D("0.1"), D("2"))], {}, "points",
     "Point 1 has an as-left reading without an as-found reading."),
    ([PointInput("Temperature", D("5"), D("5.1"), None, D("-0.1"), D("2"))], {}, "points",
     "Point 1: the expanded uncertainty cannot be negative."),
    ([PointInput("Temperature", D("5"), D("5.1"), None, D("0.1"), D("-2"))], {}, "points",
     "Point 1: the coverage factor k must be more than zero."),
    ([PointInput("Temperature", D("5"), D("5.1"), None, D("0.1"), D("0"))], {}, "points",
     "Point 1: the coverage factor k must be more than zero."),
])
def test_bad_calibration_input_is_refused_and_nothing_is_saved(db, dev, points, overrides,
                                                                field, message):
    people = dev.people()
    standard = dev.reference(people)
    plan = dev.plan(dev.device())
    before = _count(db)
    with pytest.raises(DomainError) as refused:
        _record(db, plan, standard, people, points, **overrides)
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert _count(db) == before


def test_an_overdue_reference_standard_is_refused(db, dev):
    people = dev.people()
    standard = dev.reference(people, due_in=-3)
    plan = dev.plan(dev.device())
    with pytest.raises(DomainError) as refused:
        _record(db, plan, standard, people,
                [PointInput("Temperature", D("5"), D("5.1"), None, D("0.1"), D("2"))])
    assert refused.value.field == "standards"
    assert str(refused.value).startswith(f"Reference standard {standard.serial} was overdue "
                                         "for calibration (due ")


@pytest.mark.parametrize("interval, tolerance, field, message", [
    (0, D("0.5"), "interval_days", "The interval must be at least one day."),
    (30, D("0"), "tolerances", "The tolerance of Temperature must be more than zero."),
])
def test_a_bad_plan_is_refused(db, dev, interval, tolerance, field, message):
    with pytest.raises(DomainError) as refused:
        dev.plan(dev.device(), interval=interval, tolerance=tolerance)
    assert (refused.value.field, str(refused.value)) == (field, message)


def test_the_performer_cannot_authorise_their_own_calibration(db, dev):
    people = dev.people()
    standard = dev.reference(people)
    plan = dev.plan(dev.device())
    record = dev.calibrated(plan, people, standard, authorise=False)
    with pytest.raises(DomainError, match="cannot also authorise"):
        calibration.authorise(db.session, record, signer=people.technician,
                              password="correct horse battery staple 42")


def test_a_failed_calibration_blocks_the_device(db, dev):
    people = dev.people()
    standard = dev.reference(people)
    device = dev.device(serial="TH-FAILED")
    plan = dev.plan(device)
    dev.calibrated(plan, people, standard, found=D("6.0"))
    assert device.calibration_failed is True
    assert refusal(db.session, device, "use") == (
        "Device TH-FAILED failed its last calibration; it cannot be shipped, allocated or "
        "used until it passes one.")
