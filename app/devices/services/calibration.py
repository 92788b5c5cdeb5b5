"""Calibration plans and ISO/IEC 17025 calibration records: checks, signatures, due dates."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.devices.models import (
    CalibrationPlan,
    CalibrationPoint,
    CalibrationRecord,
    PlanTolerance,
    RecordStandard,
)
from app.devices.services.decision import decide, worst
from app.devices.services.devices import due_date, find_by_serial
from app.devices.states import CALIBRATION_RECORD
from app.esign.services import sign, signing_role


def role_of(signer):
    """Return the role a person signs in here: their signing role, else their first role."""
    role = signing_role(signer)
    return role if role != "none" else next(iter(sorted(signer.roles)), "none")


def save_plan(session, device, *, name, interval_days, procedure, lab_kind, tolerances,
              lab_name=None, warn_days=14, first_due=None):
    """Add a plan to a device with its tolerances [(quantity, unit, tolerance)]."""
    if interval_days is None or interval_days <= 0:
        raise DomainError(_("The interval must be at least one day."), "interval_days")
    if not tolerances:
        raise DomainError(_("Give the tolerance of at least one measured quantity."),
                          "tolerances")
    for quantity, _unit, tolerance in tolerances:
        if tolerance is None or tolerance <= 0:
            raise DomainError(_("The tolerance of %(q)s must be more than zero.", q=quantity),
                              "tolerances")
    plan = CalibrationPlan(device_id=device.id, name=name.strip(), interval_days=interval_days,
                           procedure=procedure.strip(), lab_kind=lab_kind,
                           lab_name=(lab_name or "").strip() or None, warn_days=warn_days,
                           next_due=first_due or clock.today())
    session.add(plan)
    session.flush()
    for quantity, unit, tolerance in tolerances:
        session.add(PlanTolerance(plan_id=plan.id, quantity=quantity.strip(), unit=unit.strip(),
                                  tolerance=tolerance))
    session.flush()
    return plan


@dataclass
class PointInput:
    """One point as typed: quantity, nominal, as-found, as-left, U and k."""

    quantity: str
    nominal: Decimal | None
    as_found: Decimal | None
    as_left: Decimal | None
    uncertainty: Decimal | None
    k: Decimal | None


def _check_point(point, tolerances, index):
    field = "points"
    if point.as_left is not None and point.as_found is None:
        raise DomainError(_("Point %(n)s has an as-left reading without an as-found reading.",
                            n=index + 1), field)
    if point.nominal is None or point.as_found is None:
        raise DomainError(_("Point %(n)s needs its nominal value and as-found reading.",
                            n=index + 1), field)
    if point.uncertainty is None or point.uncertainty < 0:
        raise DomainError(_("Point %(n)s: the expanded uncertainty cannot be negative.",
                            n=index + 1), field)
    if point.k is None or point.k <= 0:
        raise DomainError(_("Point %(n)s: the coverage factor k must be more than zero.",
                            n=index + 1), field)
    tolerance = tolerances.get(point.quantity.strip().lower())
    if tolerance is None:
        raise DomainError(_("Point %(n)s: the plan has no tolerance for “%(q)s”.",
                            n=index + 1, q=point.quantity), field)
    return tolerance


def _check_standards(session, serials, on_day):
    standards = []
    for serial in serials:
        standard = find_by_serial(session, serial)
        if standard is None or standard.model.kind != "reference":
            raise DomainError(_("%(serial)s is not a registered reference standard.",
                                serial=serial), "standards")
        due = due_date(session, standard)
        if due is None or due < on_day or standard.calibration_failed:
            raise DomainError(_("Reference standard %(serial)s was overdue for calibration "
                                "(due %(date)s) on the day of this calibration; it cannot be "
                                "used.", serial=standard.serial,
                                date=format_date(due) if due else "—"), "standards")
        last = last_good(session, standard, on_day)
        standards.append((standard, last.certificate_number if last else "—", due))
    return standards


def record_calibration(session, plan, *, points, standards, by, today=None, **fields):
    """Check everything, then write the record with its points and standards (a draft)."""
    today = today or clock.today()
    for day in ("received_on", "calibrated_on", "issued_on"):
        if fields[day] > today:
            raise DomainError(_("This date is in the future."), day)
    if fields["received_on"] > fields["calibrated_on"]:
        raise DomainError(_("The item cannot be calibrated before it was received."),
                          "calibrated_on")
    if fields["issued_on"] < fields["calibrated_on"]:
        raise DomainError(_("The certificate cannot be issued before the calibration."),
                          "issued_on")
    if session.scalar(select(CalibrationRecord.id).where(
            CalibrationRecord.certificate_number == fields["certificate_number"])):
        raise DomainError(_("This certificate number is taken."), "certificate_number")
    if not points:
        raise DomainError(_("Give at least one calibration point."), "points")
    if not standards:
        raise DomainError(_("Name the reference standards used."), "standards")
    tolerances = {t.quantity.lower(): t for t in plan.tolerances}
    checked = [(p, _check_point(p, tolerances, i)) for i, p in enumerate(points)]
    used = _check_standards(session, standards, fields["calibrated_on"])
    rule = fields["decision_rule"]
    rows = []
    for point, tol in checked:
        found = decide(point.as_found - point.nominal, tol.tolerance, point.uncertainty, rule)
        left = None if point.as_left is None else decide(
            point.as_left - point.nominal, tol.tolerance, point.uncertainty, rule)
        rows.append(CalibrationPoint(
            quantity=tol.quantity, unit=tol.unit, nominal=point.nominal, as_found=point.as_found,
            as_left=point.as_left, tolerance=tol.tolerance, uncertainty=point.uncertainty,
            k=point.k, found_result=found, left_result=left))
    as_found = worst(r.found_result for r in rows)
    as_left = worst(r.left_result or r.found_result for r in rows)
    record = CalibrationRecord(
        device_id=plan.device_id, plan_id=plan.id, external=plan.lab_kind == "external",
        as_found_result=as_found, as_left_result=as_left,
        adjusted=any(r.as_left is not None for r in rows), status="draft",
        performed_by_id=by.id if by else None, **fields)
    session.add(record)
    session.flush()
    for row in rows:
        row.record_id = record.id
        session.add(row)
    for standard, certificate, due in used:
        session.add(RecordStandard(record_id=record.id, standard_id=standard.id,
                                   certificate_number=certificate, due_on=due))
    session.flush()
    session.refresh(record)
    return record


def perform(session, record, *, signer, password):
    """The person who did the calibration signs it as performed."""
    signature = sign(session, record, meaning="performed", signer=signer, password=password,
                     role=role_of(signer))
    apply_transition(session, CALIBRATION_RECORD, record, "perform", by=signer,
                     signature=signature, values={"performed_by_id": signer.id})
    return record


def authorise(session, record, *, signer, password, today=None):
    """Someone other than the performer authorises it; due dates and impact follow."""
    if record.performed_by_id == signer.id:
        raise DomainError(_("The person who performed the calibration cannot also "
                            "authorise it."), "password")
    signature = sign(session, record, meaning="approved", signer=signer, password=password,
                     role=role_of(signer))
    apply_transition(session, CALIBRATION_RECORD, record, "authorise", by=signer,
                     signature=signature, values={"authorised_by_id": signer.id})
    session.refresh(record)
    refresh_plan(session, record.plan)
    device = record.device
    failed = not record.left_good
    if device.calibration_failed != failed:
        device.calibration_failed = failed
    if record.out_of_tolerance:
        from app.devices.services.impact import open_impact

        open_impact(session, record)
    session.flush()
    return record


def refresh_plan(session, plan):
    """Recompute the plan's last and next dates from its authorised records (never copied)."""
    last = session.scalar(select(func.max(CalibrationRecord.calibrated_on)).where(
        CalibrationRecord.plan_id == plan.id, CalibrationRecord.status == "authorised",
        CalibrationRecord.as_left_result.in_(("pass", "conditional_pass"))))
    if last is not None and last != plan.last_done_on:
        plan.last_done_on = last
        plan.next_due = last + timedelta(days=plan.interval_days)
    session.flush()
    return plan


def last_good(session, device, before):
    """Return the device's last authorised calibration that left it good, before a day."""
    return session.scalar(select(CalibrationRecord).where(
        CalibrationRecord.device_id == device.id, CalibrationRecord.status == "authorised",
        CalibrationRecord.as_left_result.in_(("pass", "conditional_pass")),
        CalibrationRecord.calibrated_on <= before)
        .order_by(CalibrationRecord.calibrated_on.desc(), CalibrationRecord.id.desc()).limit(1))
