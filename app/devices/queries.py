"""Read-only scoping and list queries of the devices domain."""

from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from app.core import clock
from app.devices.models import (
    CalibrationPlan,
    CalibrationRecord,
    Device,
    DeviceEvent,
    DeviceModel,
    ImpactAssessment,
    RecordStandard,
    ShipmentDevice,
)
from app.trials.api import Site, Subject, Trial, TrialVisit

DUE_FILTERS = ("overdue", "due", "all")

# Devices that leave the calibration lists and alerts: retired, set aside or destroyed.
NO_CALIBRATION = ("retired", "pending_destruction", "destroyed")


def visible_devices(user, permission="devices.view"):
    """Return a select of the devices the user may see (site staff: those at their sites)."""
    stmt = select(Device).join(DeviceModel, Device.model_id == DeviceModel.id)
    scope = user.site_scope(permission)
    if scope is not None:
        stmt = stmt.where(Device.site_id.in_(scope))
    return stmt


def due_filters(args):
    """Return the due list's filters read from request arguments (a MultiDict)."""
    from app.devices.models import DEVICE_KINDS, LAB_KINDS

    when = args.get("when") if args.get("when") in DUE_FILTERS else "all"
    return dict(when=when, horizon=min(max(args.get("days", 30, type=int), 0), 366),
                site_id=args.get("site", type=int), trial_id=args.get("trial", type=int),
                lab_kind=args.get("lab") if args.get("lab") in LAB_KINDS else None,
                kind=args.get("kind") if args.get("kind") in DEVICE_KINDS else None)


def due_plans(user, today, *, horizon=None, when="all", site_id=None, trial_id=None,
              lab_kind=None, kind=None):
    """Return a select of the plans due within the horizon or overdue (devices loaded).

    One query loads the plans with their device, model and site (the site without its trial:
    the list shows the site number only).
    """
    horizon = today + timedelta(days=horizon if horizon is not None else 30)
    stmt = (select(CalibrationPlan)
            .join(Device, Device.id == CalibrationPlan.device_id)
            .join(DeviceModel, DeviceModel.id == Device.model_id)
            .outerjoin(Site, Site.id == Device.site_id)
            .where(CalibrationPlan.active.is_(True), Device.status.not_in(NO_CALIBRATION))
            .options(contains_eager(CalibrationPlan.device).contains_eager(Device.model),
                     contains_eager(CalibrationPlan.device).contains_eager(Device.site)
                     .lazyload(Site.trial)))
    if when == "overdue":
        stmt = stmt.where(CalibrationPlan.next_due < today)
    elif when == "due":
        stmt = stmt.where(CalibrationPlan.next_due >= today, CalibrationPlan.next_due <= horizon)
    else:
        stmt = stmt.where(CalibrationPlan.next_due <= horizon)
    scope = user.site_scope("devices.view")
    if scope is not None:
        stmt = stmt.where(Device.site_id.in_(scope))
    if site_id:
        stmt = stmt.where(Device.site_id == site_id)
    if trial_id:
        stmt = stmt.where(Device.trial_id == trial_id)
    if lab_kind:
        stmt = stmt.where(CalibrationPlan.lab_kind == lab_kind)
    if kind:
        stmt = stmt.where(DeviceModel.kind == kind)
    return stmt


def event_window(stmt, column, since, until):
    """Narrow stmt to since < column ≤ until (since None: from the start)."""
    if since is not None:
        stmt = stmt.where(column >= since)
    return stmt.where(column <= until)


def uses(device_id, since, until):
    """Return a select of (event, site, trial, subject code, visit name) in the window."""
    stmt = (select(DeviceEvent.id, DeviceEvent.kind, DeviceEvent.occurred_on, Site.site_number,
                   Site.hospital, Trial.protocol_code, Subject.code, TrialVisit.name)
            .join(Site, Site.id == DeviceEvent.site_id)
            .join(Trial, Trial.id == Site.trial_id)
            .outerjoin(Subject, Subject.id == DeviceEvent.subject_id)
            .outerjoin(TrialVisit, TrialVisit.id == DeviceEvent.visit_id)
            .where(DeviceEvent.device_id == device_id,
                   DeviceEvent.kind.in_(("use", "implant")))
            .order_by(DeviceEvent.occurred_on, DeviceEvent.id))
    return event_window(stmt, DeviceEvent.occurred_on, since, until)


def event_counts(session, device_id, since, until):
    """Return {uses, subjects, visits, sites, trials} of a device in the window."""
    base = event_window(select(DeviceEvent).where(
        DeviceEvent.device_id == device_id, DeviceEvent.kind.in_(("use", "implant"))),
        DeviceEvent.occurred_on, since, until).subquery()
    row = session.execute(select(
        func.count(), func.count(base.c.subject_id.distinct()),
        func.count(base.c.visit_id.distinct()), func.count(base.c.site_id.distinct()),
        func.count(base.c.trial_id.distinct()))).one()
    return {"uses": row[0], "subjects": row[1], "visits": row[2], "sites": row[3],
            "trials": row[4]}


def per_site(session, device_id, since, until):
    """Return [(trial, site number, hospital, uses, subjects)] of a device in the window."""
    counted = event_window(
        select(DeviceEvent.site_id, func.count().label("uses"),
               func.count(DeviceEvent.subject_id.distinct()).label("subjects"))
        .where(DeviceEvent.device_id == device_id, DeviceEvent.kind.in_(("use", "implant"))),
        DeviceEvent.occurred_on, since, until).group_by(DeviceEvent.site_id).subquery()
    stmt = (select(Trial.protocol_code, Site.site_number, Site.hospital, counted.c.uses,
                   counted.c.subjects)
            .join(Site, Site.id == counted.c.site_id).join(Trial, Trial.id == Site.trial_id)
            .order_by(Trial.protocol_code, Site.site_number))
    return session.execute(stmt).all()


def impact_shipments(session, device, since, until):
    """Return [(shipment, excursion decisions)] the device travelled with in the window.

    A logger or thermometer also reaches the shipments whose logger file carries its serial:
    the QA excursion decisions there relied on its readings.
    """
    from app.shipments.models import LoggerUpload, QaDecision, Shipment

    carried = select(ShipmentDevice.shipment_id).where(ShipmentDevice.device_id == device.id)
    condition = Shipment.id.in_(carried)
    if device.model.measures_temperature:
        condition = or_(condition, Shipment.id.in_(select(LoggerUpload.shipment_id).where(
            func.lower(LoggerUpload.logger_serial) == device.serial.lower())))
    stmt = select(Shipment).where(condition, Shipment.dispatched_at.is_not(None)) \
        .order_by(Shipment.dispatched_at)
    rows = []
    for shipment in session.scalars(stmt):
        day = shipment.dispatched_at.date()
        if (since is not None and day < since) or day > until:
            continue
        decisions = session.scalars(select(QaDecision).where(
            QaDecision.shipment_id == shipment.id).order_by(QaDecision.id)).all()
        rows.append((shipment, decisions if device.model.measures_temperature else []))
    return rows


def reverse_records(session, standard_id, since, until, exclude_id=None, limit=200):
    """Return the records (with their devices) a reference standard took part in."""
    stmt = (select(CalibrationRecord).join(RecordStandard,
                                           RecordStandard.record_id == CalibrationRecord.id)
            .where(RecordStandard.standard_id == standard_id)
            .order_by(CalibrationRecord.calibrated_on, CalibrationRecord.id).limit(limit))
    if exclude_id is not None:
        stmt = stmt.where(CalibrationRecord.id != exclude_id)
    return session.scalars(event_window(stmt, CalibrationRecord.calibrated_on, since,
                                        until)).all()


def open_impacts(session):
    """Return how many impact assessments wait for QA."""
    return session.scalar(select(func.count()).where(ImpactAssessment.status == "open")) or 0


def records_waiting(session, status):
    """Return how many calibration records wait in a state (draft: to perform)."""
    return session.scalar(select(func.count()).where(CalibrationRecord.status == status)) or 0


def plans_due_between(session, start, end):
    """Return (plan, device) of active plans due between two days (for the daily alerts)."""
    return session.execute(
        select(CalibrationPlan, Device).join(Device, Device.id == CalibrationPlan.device_id)
        .where(CalibrationPlan.active.is_(True), Device.status.not_in(NO_CALIBRATION),
               CalibrationPlan.next_due >= start, CalibrationPlan.next_due <= end)
        .order_by(CalibrationPlan.next_due, CalibrationPlan.id)).all()


def site_events(site_id, last_event_id=None):
    """Return a select of a site's device accountability events, oldest first."""
    stmt = select(DeviceEvent).where(DeviceEvent.site_id == site_id) \
        .order_by(DeviceEvent.occurred_on, DeviceEvent.id)
    if last_event_id is not None:
        stmt = stmt.where(DeviceEvent.id <= last_event_id)
    return stmt


def today():
    """Return today's date (one place tests can reason about)."""
    return clock.today()
