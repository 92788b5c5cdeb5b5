"""The due list as Excel and the calibration certificate as PDF (ISO/IEC 17025 7.8)."""

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.platypus import Spacer

from app.devices.models import DECISION_RULES, DEVICE_KINDS, LAB_KINDS, RECORD_STATES, RESULTS
from app.exports.excel import Sheet
from app.exports.pdf import build_pdf, para, table


def due_headers():
    """Return the column titles of the due list."""
    return [_("Due"), _("Days late"), _("Serial"), _("Model"), _("Kind"), _("Plan"),
            _("Done by"), _("Status"), _("Site"), _("Last done")]


def due_sheet(session, stmt, today):
    """Return the sheet of the due list (a select of plans with their devices)."""
    from app.devices.states import DEVICE

    def rows():
        for plan in session.scalars(stmt):
            device = plan.device
            model = device.model
            yield [plan.next_due, max((today - plan.next_due).days, 0), device.serial,
                   f"{model.manufacturer} {model.model}", str(DEVICE_KINDS[model.kind]),
                   plan.name, str(LAB_KINDS[plan.lab_kind]), DEVICE.label(device.status),
                   device.site.audit_label() if device.site else "—", plan.last_done_on]

    return Sheet(_("Calibrations due"), due_headers(), rows())


def due_statement(user, params):
    """Return (select of the due plans in the export's order, the day the list counts from)."""
    from datetime import date

    from werkzeug.datastructures import MultiDict

    from app.devices.models import CalibrationPlan
    from app.devices.queries import due_filters, due_plans

    today = date.fromisoformat(params["on"])
    stmt = due_plans(user, today, **due_filters(MultiDict(params)))
    return stmt.order_by(CalibrationPlan.next_due, CalibrationPlan.id), today


def count_due(session, user, params):
    """Return how many plans the filtered due-list export has (the job kind's count)."""
    from sqlalchemy import func, select

    stmt, _today = due_statement(user, params)
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def build_due(session, user, params, path, progress):
    """Write the filtered due list to path (the job kind's build)."""
    from app.exports.excel import write_xlsx_file

    stmt, today = due_statement(user, params)
    write_xlsx_file(path, [due_sheet(session, stmt, today)], progress)


def _num(value):
    return "—" if value is None else f"{value.normalize():f}"


def _result(value):
    return str(RESULTS.get(value, "—")) if value else "—"


def _details(record, device):
    config = current_app.config
    return [
        [_("Certificate number"), record.certificate_number],
        [_("Calibration laboratory"), f"{record.lab_name}, {record.lab_address}"],
        [_("Accreditation"), " ".join(filter(None, (record.accreditation_body,
                                                      record.accreditation_number))) or "—"],
        [_("Where the calibration was done"), record.performed_at_place],
        [_("Customer"), record.customer],
        [_("Item"), f"{device.model.manufacturer} {device.model.model} "
                    f"({DEVICE_KINDS[device.model.kind]})"],
        [_("Identification"), _("Serial %(serial)s", serial=device.serial)
         + (f" · UDI-DI {device.model.udi_di}" if device.model.udi_di else "")],
        [_("Condition of the item on receipt"), record.condition_on_receipt],
        [_("Method"), record.method],
        [_("Deviations from the method"), record.deviations or _("None")],
        [_("Date of receipt"), format_date(record.received_on)],
        [_("Date of calibration"), format_date(record.calibrated_on)],
        [_("Date of issue"), format_date(record.issued_on)],
        [_("Environmental conditions"),
         _("%(t)s °C, %(h)s %% relative humidity", t=_num(record.temperature_c),
           h=_num(record.humidity_pct))
         + (f"; {record.environment_note}" if record.environment_note else "")],
        [_("Issued by"), config.get("COMPANY_NAME") or ""],
    ]


def _points(record):
    headers = [_("Quantity"), _("Nominal"), _("As found"), _("Error as found"), _("As left"),
               _("Error as left"), _("Tolerance (±)"), _("U (k)"), _("Result as found"),
               _("Result as left")]
    rows = [[f"{p.quantity} ({p.unit})", _num(p.nominal), _num(p.as_found), _num(p.found_error),
             _num(p.as_left), _num(p.left_error), _num(p.tolerance),
             f"{_num(p.uncertainty)} (k = {_num(p.k)})", _result(p.found_result),
             _result(p.left_result or p.found_result)] for p in record.points]
    return table(headers, rows)


def _standards(record):
    headers = [_("Reference standard"), _("Serial"), _("Its certificate"), _("Its due date")]
    rows = [[f"{s.standard.model.manufacturer} {s.standard.model.model}", s.standard.serial,
             s.certificate_number, format_date(s.due_on)] for s in record.standards]
    return table(headers, rows)


def certificate_story(session, record):
    """Return the flowables of the certificate: every 7.8.2.1 and 7.8.4.1 element."""
    device = record.device
    story = [table([_("Element"), _("Value")], _details(record, device)), Spacer(1, 8),
             para(_("Results before and after adjustment"), "Heading3"), _points(record),
             para(_("The expanded uncertainty U is the standard uncertainty multiplied by the "
                    "coverage factor k, which for a normal distribution gives a coverage "
                    "probability of approximately 95 %.")),
             para(_("Metrological traceability"), "Heading3"),
             para(_("The results are traceable to the International System of Units (SI) "
                    "through the reference standards below, each calibrated by an accredited "
                    "laboratory and within its calibration interval on the day of use.")),
             _standards(record),
             para(_("Statement of conformity"), "Heading3"),
             para(_("Decision rule: %(rule)s.", rule=DECISION_RULES[record.decision_rule])),
             para(_("As found: %(found)s. As left: %(left)s.",
                    found=_result(record.as_found_result), left=_result(record.as_left_result))),
             para(_("The item was adjusted during calibration.") if record.adjusted
                  else _("The item was not adjusted.")),
             para(_("Opinions and interpretations"), "Heading3"),
             para(record.opinion or _("None")),
             para(_("The results relate only to the item calibrated. This certificate does "
                    "not recommend a calibration interval. It shall not be reproduced except "
                    "in full.")),
             para(_("Results from external providers: %(who)s.",
                    who=record.lab_name if record.external else _("none")))]
    story.append(para(_("End of certificate %(n)s", n=record.certificate_number), "Heading3"))
    return story


def certificate_pdf(session, record, signatures):
    """Return the bytes of the certificate PDF with its signatures."""
    title = _("Calibration certificate %(n)s", n=record.certificate_number)
    return build_pdf(title, certificate_story(session, record),
                     subtitle=_("Status: %(state)s", state=RECORD_STATES[record.status]),
                     signatures=signatures, landscape=True,
                     signature_lines=[] if signatures else [_("Performed by"),
                                                            _("Authorised by")])


def shipment_device_story(session, shipment_id):
    """Return the devices table of a packing list or proof of delivery (nothing without)."""
    from app.devices.models import SHIPMENT_DEVICE_STATES
    from app.devices.services.shipping import lines_of

    lines = [line for line in lines_of(session, shipment_id) if line.status != "proposed"]
    if not lines:
        return []
    rows = [[i, line.device.serial, f"{line.device.model.manufacturer} {line.device.model.model}",
             line.device.lot or "—", str(SHIPMENT_DEVICE_STATES[line.status])]
            for i, line in enumerate(lines, start=1)]
    return [Spacer(1, 10), para(_("Devices"), "Heading2"),
            table(["#", _("Serial"), _("Model"), _("Lot"), _("Status")], rows,
                  col_widths=[30, 110, 170, 80, 90])]
