"""Medical devices: supply to sites, accountability, calibration plans, records and impact."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core import clock
from app.core.domains import Alert, AlertItem, Domain, JobKind, MenuEntry, WorkQueue
from app.devices import bp
from app.devices.models import (
    DECISION_RULES,
    DEVICE_CLASSES,
    DEVICE_KINDS,
    DEVICE_STATES,
    EVENT_KINDS,
    IMPACT_DECISIONS,
    IMPACT_STATES,
    LAB_KINDS,
    RECORD_STATES,
    RESULTS,
    SHIPMENT_DEVICE_STATES,
)

VIEW, MANAGE, USE, CALIBRATE, AUTHORISE, QA, VERIFY = (
    "devices.view", "devices.manage", "devices.use", "devices.calibrate", "devices.authorise",
    "devices.qa", "devices.verify")


def template_labels():
    """Give templates the translated labels of the domain's states and choices."""
    return {"device_states": DEVICE_STATES, "device_kinds": DEVICE_KINDS,
            "device_events": EVENT_KINDS, "lab_kinds": LAB_KINDS,
            "decision_rules": DECISION_RULES, "calibration_results": RESULTS,
            "record_states": RECORD_STATES, "impact_states": IMPACT_STATES,
            "impact_decisions": IMPACT_DECISIONS, "shipment_device_states": SHIPMENT_DEVICE_STATES}


def seed_demo(session, context, report):
    """Devices at the device trial's sites, plans, calibrations and an impact assessment."""
    from app.devices.demo import seed_devices

    seed_devices(session, context["users"], report)


def _items(session, today, start, end, prefix):
    from app.devices.queries import plans_due_between

    return [AlertItem(key=f"{prefix}:{plan.id}:{plan.next_due.isoformat()}",
                      site_id=device.site_id, link="/devices/due",
                      params={"serial": device.serial, "plan": plan.name, "due": plan.next_due})
            for plan, device in plans_due_between(session, start, end)]


def find_due_soon(session, today, days):
    """Plans due in the next N days (told once per due date)."""
    from datetime import timedelta

    return _items(session, today, today + timedelta(days=1), today + timedelta(days=days),
                  "calibration_due")


def find_due_now(session, today, days):
    """Plans whose due date is today or has passed (told once per due date)."""
    from datetime import date

    return _items(session, today, date(1900, 1, 1), today, "calibration_overdue")


def compose_due_soon(item):
    """Subject and body of the due-soon alert."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    return (_("Calibration of %(serial)s due on %(date)s", serial=p["serial"],
              date=format_date(p["due"])),
            _("The plan “%(plan)s” of device %(serial)s is due on %(date)s. After that day "
              "the device cannot be shipped, allocated or used.", plan=p["plan"],
              serial=p["serial"], date=format_date(p["due"])))


def compose_due_now(item):
    """Subject and body of the due-now alert."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    return (_("Calibration of %(serial)s is due (%(date)s)", serial=p["serial"],
              date=format_date(p["due"])),
            _("The plan “%(plan)s” of device %(serial)s was due on %(date)s. Until it is "
              "calibrated the device cannot be shipped, allocated or used.", plan=p["plan"],
              serial=p["serial"], date=format_date(p["due"])))


ALERTS = (
    Alert("calibration_due_soon", _l("Calibrations due soon"), roles=("site", "logistics"),
          find=find_due_soon, compose=compose_due_soon, days=14),
    Alert("calibration_due_now", _l("Calibrations due today or overdue"),
          roles=("site", "logistics"), find=find_due_now, compose=compose_due_now, days=0),
)


def _queue(name, label, permission, count, endpoint, urgency, **args):
    from flask import url_for

    return WorkQueue(name, label, permission, count=count,
                     url=lambda user: url_for(endpoint, **args), urgency=urgency)


def _count_overdue(session, user):

    from sqlalchemy import func, select

    from app.devices.queries import due_plans

    stmt = due_plans(user, clock.today(), when="overdue")
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _count_impacts(session, user):
    from app.devices.queries import open_impacts

    return open_impacts(session)


def _count_to_authorise(session, user):
    from app.devices.queries import records_waiting

    return records_waiting(session, "performed")


WORK_QUEUES = (
    _queue("calibrations_overdue", _l("Calibrations overdue"), CALIBRATE, _count_overdue,
           "devices.due_list", 45, when="overdue"),
    _queue("calibrations_overdue_here", _l("Devices at your sites overdue for calibration"),
           USE, _count_overdue, "devices.due_list", 45, when="overdue"),
    _queue("impacts_open", _l("Out-of-tolerance impact assessments to close"), QA,
           _count_impacts, "devices.list_impacts", 45, status="open"),
    _queue("calibrations_to_authorise", _l("Calibration records to authorise"), AUTHORISE,
           _count_to_authorise, "devices.list_records", 40, status="performed"),
)

RECORD_TYPES = {
    "device_model": _l("Device model"), "device": _l("Device"),
    "device_event": _l("Device accountability line"),
    "device_log_review": _l("Device accountability log"),
    "shipment_device": _l("Device on a shipment"), "calibration_plan": _l("Calibration plan"),
    "plan_tolerance": _l("Tolerance of a calibration plan"),
    "calibration_record": _l("Calibration record"), "calibration_point": _l("Calibration point"),
    "record_standard": _l("Reference standard used"),
    "impact_assessment": _l("Impact assessment"),
}
AUDIT_FIELDS = {
    **per_type("device_model", manufacturer=_l("Manufacturer"), model=_l("Model"),
               device_class=_l("Device class"), kind=_l("Kind"), udi_di=_l("UDI-DI"),
               investigational=_l("Investigational device"),
               needs_calibration=_l("Needs calibration")),
    **per_type("device", model_id=_l("Model"), serial=_l("Serial number or UDI-PI"),
               lot=_l("Lot"), expires_on=_l("Expiry date"), owner=_l("Owner"),
               status=_l("Status"), location_id=_l("Location"), site_id=_l("Site"),
               trial_id=_l("Trial"), calibration_failed=_l("Failed its last calibration"),
               status_reason=_l("Reason")),
    **per_type("device_event", device_id=_l("Device"), site_id=_l("Site"), trial_id=_l("Trial"),
               kind=_l("What happened"), subject_id=_l("Subject"), visit_id=_l("Visit"),
               occurred_on=_l("Date"), reason=_l("Reason"), recorded_at=_l("Recorded (UTC)"),
               recorded_by_id=_l("Recorded by")),
    **per_type("device_log_review", site_id=_l("Site"), last_event_id=_l("Last line covered"),
               totals=_l("Figures"), created_by_id=_l("Frozen by")),
    **per_type("shipment_device", shipment_id=_l("Shipment"), device_id=_l("Device"),
               status=_l("Status"), picked_at=_l("Picked (UTC)"),
               received_at=_l("Received (UTC)"), note=_l("Note")),
    **per_type("calibration_plan", device_id=_l("Device"), name=_l("Name"),
               interval_days=_l("Interval (days)"), warn_days=_l("Warn this many days before"),
               procedure=_l("Procedure"), lab_kind=_l("Done by"), lab_name=_l("Laboratory"),
               active=_l("Active"), last_done_on=_l("Last done on"),
               next_due=_l("Next due")),
    **per_type("plan_tolerance", plan_id=_l("Calibration plan"), quantity=_l("Quantity"),
               unit=_l("Unit"), tolerance=_l("Tolerance (±)")),
    **per_type("calibration_record", device_id=_l("Device"), plan_id=_l("Calibration plan"),
               certificate_number=_l("Certificate number"), status=_l("Status"),
               customer=_l("Customer"), lab_name=_l("Laboratory"),
               lab_address=_l("Laboratory address"),
               accreditation_body=_l("Accreditation body"),
               accreditation_number=_l("Accreditation number"),
               external=_l("External laboratory"),
               performed_at_place=_l("Where the calibration was done"), method=_l("Method"),
               deviations=_l("Deviations from the method"),
               condition_on_receipt=_l("Condition of the item on receipt"),
               received_on=_l("Received on"), calibrated_on=_l("Calibrated on"),
               issued_on=_l("Issued on"), temperature_c=_l("Ambient temperature (°C)"),
               humidity_pct=_l("Relative humidity (%)"),
               environment_note=_l("Other conditions"), decision_rule=_l("Decision rule"),
               as_found_result=_l("Result as found"), as_left_result=_l("Result as left"),
               adjusted=_l("Adjusted"), opinion=_l("Opinions and interpretations"),
               certificate_file_id=_l("External certificate (PDF)"),
               performed_by_id=_l("Performed by"), authorised_by_id=_l("Authorised by"),
               performed_at=_l("Performed (UTC)"), authorised_at=_l("Authorised (UTC)")),
    **per_type("calibration_point", record_id=_l("Calibration record"),
               quantity=_l("Quantity"), unit=_l("Unit"), nominal=_l("Nominal"),
               as_found=_l("As found"), as_left=_l("As left"), tolerance=_l("Tolerance (±)"),
               uncertainty=_l("U (expanded)"), k=_l("Coverage factor k"),
               found_result=_l("Result as found"), left_result=_l("Result as left")),
    **per_type("record_standard", record_id=_l("Calibration record"),
               standard_id=_l("Reference standard"), certificate_number=_l("Its certificate"),
               due_on=_l("Its due date")),
    **per_type("impact_assessment", device_id=_l("Device"), record_id=_l("Calibration record"),
               since=_l("Since"), until=_l("Until"), status=_l("Status"),
               summary=_l("Figures"), decision=_l("Decision"), conclusion=_l("Conclusion"),
               opened_at=_l("Opened (UTC)"), closed_at=_l("Closed (UTC)"),
               closed_by_id=_l("Closed by")),
}
AUDIT_VALUES = {
    ("device", "status"): DEVICE_STATES, ("device_model", "kind"): DEVICE_KINDS,
    ("device_model", "device_class"): DEVICE_CLASSES, ("device_event", "kind"): EVENT_KINDS,
    ("shipment_device", "status"): SHIPMENT_DEVICE_STATES,
    ("calibration_plan", "lab_kind"): LAB_KINDS,
    ("calibration_record", "status"): RECORD_STATES,
    ("calibration_record", "decision_rule"): DECISION_RULES,
    ("calibration_record", "as_found_result"): RESULTS,
    ("calibration_record", "as_left_result"): RESULTS,
    ("calibration_point", "found_result"): RESULTS,
    ("calibration_point", "left_result"): RESULTS,
    ("impact_assessment", "status"): IMPACT_STATES,
    ("impact_assessment", "decision"): IMPACT_DECISIONS,
}
DEVICE_ACTIONS = {
    "device_allocate": _l("Device allocated"), "device_deallocate": _l("Device de-allocated"),
    "device_ship": _l("Device shipped"), "device_receive": _l("Device received at site"),
    "device_receive_back": _l("Device received back at the depot"),
    "device_receive_damaged": _l("Device received damaged (quarantined)"),
    "device_start_use": _l("Device put in use"), "device_end_use": _l("Device use ended"),
    "device_return": _l("Device returned"), "device_restock": _l("Device back in stock"),
    "device_send_to_calibration": _l("Device sent to calibration"),
    "device_back_from_calibration": _l("Device back from calibration"),
    "device_quarantine": _l("Device quarantined"),
    "device_release": _l("Device released from quarantine"),
    "device_take_out_of_service": _l("Device taken out of service"),
    "device_retire": _l("Device retired"),
    "device_set_for_destruction": _l("Device set aside for destruction"),
    "device_destroy": _l("Device destroyed (destruction batch)"),
    "calibration_performed": _l("Calibration signed as performed"),
    "calibration_authorised": _l("Calibration authorised"),
    "impact_closed": _l("Impact assessment closed"),
}

def _count_due(session, user, params):
    from app.devices.exports import count_due

    return count_due(session, user, params)


def _build_due(session, user, params, path, progress):
    from app.devices.exports import build_due

    return build_due(session, user, params, path, progress)


DOMAIN = Domain(
    name="devices",
    label=_l("Medical devices"),
    blueprints=((bp, "/devices"),),
    permissions={
        "admin": {VIEW, MANAGE, USE},
        "logistics": {VIEW, MANAGE, CALIBRATE},
        "site": {VIEW, USE},
        "qp": {VIEW, AUTHORISE, QA},
        "monitor": {VIEW, VERIFY},
    },
    site_scoped=frozenset({VIEW, USE}),
    menu=(MenuEntry(_l("Devices"), "devices.list_devices", VIEW, order=70),),
    jobs=(JobKind("calibrations_due", _l("Calibrations due (Excel)"), VIEW, _count_due,
                  _build_due, filename="calibrations-due.xlsx"),),
    audit_actions=DEVICE_ACTIONS,
    state_machines=("app.devices.states",),
    demo=seed_demo,
    alerts=ALERTS,
    work_queues=WORK_QUEUES,
    template_labels=template_labels,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
