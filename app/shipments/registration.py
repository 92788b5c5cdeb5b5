"""Shipments and the cold chain: orders, picking, dispatch, logger data, receipt."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.coldchain.logger import DELIMITERS, TIME_FORMATS, TIMEZONES
from app.core.domains import Alert, Domain, JobKind, MenuEntry, WorkQueue
from app.shipments import bp
from app.shipments.models import (
    DISCREPANCY_KINDS,
    DISCREPANCY_STATUSES,
    LINE_STATUSES,
    QA_OUTCOMES,
    RECEIPT_OUTCOMES,
    SHIPMENT_KINDS,
    SHIPMENT_STATUSES,
)


def template_labels():
    """Give templates the translated labels of shipment kinds, states and outcomes."""
    return {"shipment_kinds": SHIPMENT_KINDS, "shipment_statuses": SHIPMENT_STATUSES,
            "receipt_outcomes": RECEIPT_OUTCOMES, "qa_outcomes": QA_OUTCOMES,
            "discrepancy_statuses": DISCREPANCY_STATUSES}


def seed_demo(session, context, report):
    """Create the demo shipments in every state."""
    from app.shipments.demo import seed_shipments

    seed_shipments(session, report)


# How the audit trail names the records, fields, values and events of this domain.
AUDIT_ACTIONS = {
    "shipment_ordered": _l("Shipment ordered"),
    "shipment_picked": _l("Picking finished"),
    "shipment_packed": _l("Shipment packed"),
    "shipment_shipped": _l("Shipment dispatched"),
    "shipment_delivered": _l("Delivery by the courier recorded"),
    "shipment_received": _l("Shipment received"),
    "shipment_closed": _l("Shipment closed"),
    "shipment_cancelled": _l("Shipment cancelled"),
    "shipment_cancel_reason": _l("Reason for cancelling recorded"),
    "shipment_kit_picked": _l("Kit picked for the shipment"),
    "shipment_kit_dropped": _l("Kit taken off the shipment"),
    "discrepancy_resolved": _l("Discrepancy resolved"),
}
AUDIT_FIELDS = {
    **per_type("logger_upload", accepted_reason=_l("Accepted outside the journey because"),
               accepted_by_id=_l("Accepted by")),
    **per_type("qa_decision", departure_reason=_l("Why QA departed from the proposal")),
    "shipment_id": _l("Shipment"),
    **per_type(
        "shipment", number=_l("Shipment number"), kind=_l("Kind of shipment"),
        origin_id=_l("Origin"), destination_id=_l("Destination"),
        requested_kits=_l("Kits requested"), expected_arrival=_l("Expected arrival"),
        courier=_l("Courier"), tracking_number=_l("Tracking number"),
        boxes=_l("Number of boxes"), box_ids=_l("Box ids"),
        logger_ids=_l("Temperature logger ids"), ordered_at=_l("Ordered (UTC)"),
        picked_at=_l("Picked (UTC)"), packed_at=_l("Packed (UTC)"),
        dispatched_at=_l("Dispatched (UTC)"), delivered_at=_l("Delivered (UTC)"),
        received_at=_l("Received (UTC)"), closed_at=_l("Closed (UTC)"),
        cancelled_at=_l("Cancelled (UTC)"), received_by_id=_l("Received by"),
        qa_pending=_l("Awaiting QA"), open_discrepancies=_l("Open discrepancies"),
        kit=_l("Kit")),
    **per_type(
        "shipment_kit", holds=_l("Kit held for the shipment"), picked_at=_l("Picked (UTC)"),
        picked_by_id=_l("Picked by"), receipt_outcome=_l("Condition on arrival"),
        scanned_at=_l("Scanned (UTC)"), minutes_out=_l("Minutes out (this trip)"),
        quarantined=_l("Quarantined"), qa_outcome=_l("QA decision"),
        qa_decision_id=_l("QA decision"), kit=_l("Kit")),
    **per_type(
        "logger_upload", logger_serial=_l("Logger id"), stored_file_id=_l("Logger file (CSV)"),
        reading_count=_l("Readings"), first_at=_l("First reading (UTC)"),
        last_at=_l("Last reading (UTC)"), low_c=_l("Lowest allowed °C"),
        high_c=_l("Highest allowed °C"), delimiter=_l("Column separator"), unit=_l("Unit"),
        decimal_comma=_l("Decimal comma"), time_format=_l("Time format"),
        timezone=_l("Times without a zone are in")),
    **per_type(
        "shipment_excursion", upload_id=_l("Logger data"), started_at=_l("Start (UTC)"),
        ended_at=_l("End (UTC)"), minutes=_l("Minutes"), direction=_l("Direction")),
    **per_type(
        "qa_decision", decision=_l("Decision"), decided_at=_l("Decided (UTC)"),
        decided_by_id=_l("Decided by")),
    **per_type(
        "shipment_discrepancy", opened_at=_l("Opened (UTC)"), opened_by_id=_l("Opened by"),
        resolved_at=_l("Resolved (UTC)"), resolved_by_id=_l("Resolved by"),
        resolution=_l("Resolution"), device_id=_l("Device")),
}
AUDIT_VALUES = {
    ("shipment", "kind"): SHIPMENT_KINDS,
    ("shipment", "status"): SHIPMENT_STATUSES,
    ("shipment_kit", "status"): LINE_STATUSES,
    ("shipment_kit", "receipt_outcome"): RECEIPT_OUTCOMES,
    ("shipment_kit", "qa_outcome"): QA_OUTCOMES,
    ("qa_decision", "decision"): QA_OUTCOMES,
    ("shipment_discrepancy", "kind"): DISCREPANCY_KINDS,
    ("shipment_discrepancy", "status"): DISCREPANCY_STATUSES,
    ("shipment_excursion", "direction"): {
        "high": _l("Above the range"), "low": _l("Below the range"),
        "both": _l("Above and below the range")},
    ("logger_upload", "delimiter"): DELIMITERS,
    ("logger_upload", "time_format"): TIME_FORMATS,
    ("logger_upload", "timezone"): TIMEZONES,
    ("logger_upload", "unit"): {"C": _l("Celsius (°C)"), "F": _l("Fahrenheit (°F)")},
}
RECORD_TYPES = {
    "shipment": _l("Shipment"),
    "shipment_kit": _l("Kit on a shipment"),
    "logger_upload": _l("Temperature logger data"),
    "shipment_excursion": _l("Temperature excursion"),
    "qa_decision": _l("QA decision"),
    "shipment_discrepancy": _l("Discrepancy"),
}

def compose_overdue(item):
    """Subject and body of the overdue-shipment alert, in the recipient's language."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    return (_("Shipment %(number)s is overdue", number=p["number"]),
            _("Shipment %(number)s was dispatched on %(date)s and has not been received "
              "within %(days)s days. Check with the courier and the site.",
              number=p["number"], date=format_date(p["dispatched"]), days=p["days"]))


def compose_excursion_waiting(item):
    """Subject and body of the waiting-excursion alert, in the recipient's language."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    return (_("Shipment %(number)s waits for a QA decision", number=p["number"]),
            _("Shipment %(number)s was received on %(date)s after a temperature excursion; "
              "its kits stay in quarantine until QA releases or rejects them.",
              number=p["number"], date=format_date(p["received"])))


def find_overdue(session, today, days):
    """Shipments overdue (SHIPMENT_OVERDUE_DAYS decides when)."""
    from app.shipments.queries import overdue_shipments

    return overdue_shipments(session, today)


def find_excursions_waiting(session, today, days):
    """Shipments waiting for QA for more than days."""
    from app.shipments.queries import excursions_waiting

    return excursions_waiting(session, today, days)


# Daily: the destination site and logistics hear of an overdue shipment, QA of a decision
# that waits.
ALERTS = (
    Alert("shipment_overdue", _l("Overdue shipments"), roles=("logistics", "site"),
          find=find_overdue, compose=compose_overdue),
    Alert("excursion_waiting", _l("Excursions waiting for a QA decision"), roles=("qp",),
          find=find_excursions_waiting, compose=compose_excursion_waiting, days=1),
)

def board_queue(name, label, permission, urgency, **args):
    """A work queue that is the shipment board with these filters (count = its rows)."""
    from flask import url_for

    def count(session, user):
        from app.shipments.queries import board_count

        return board_count(session, user, **args)

    return WorkQueue(name, label, permission, count=count,
                     url=lambda user: url_for("shipments.board", **args), urgency=urgency)


def count_resupply(session, user):
    """Sites at or below their minimum (the resupply page's rows)."""
    from app.shipments.queries import resupply_count

    return resupply_count(session, user)


def resupply_url(user):
    from flask import url_for

    return url_for("shipments.resupply", short=1)


WORK_QUEUES = (
    board_queue("qa_decisions", _l("Excursions awaiting your QA decision"), "shipments.decide",
                95, problem="qa"),
    board_queue("overdue", _l("Overdue shipments"), "shipments.manage", 90, problem="overdue"),
    board_queue("to_receive", _l("Shipments to receive"), "shipments.receive", 85,
                status="to_receive"),
    board_queue("discrepancies", _l("Shipments with open discrepancies"), "shipments.manage",
                80, problem="discrepancy"),
    WorkQueue("resupply", _l("Sites needing resupply"), "shipments.manage",
              count=count_resupply, url=resupply_url, urgency=70),
    board_queue("to_pick", _l("Shipments to pick"), "shipments.manage", 60, status="ordered"),
    board_queue("to_pack", _l("Shipments to pack"), "shipments.manage", 55, status="picked"),
    board_queue("to_dispatch", _l("Shipments to dispatch"), "shipments.manage", 50,
                status="packed"),
)

# shipments.view: the board and shipment pages (site users: their own sites); shipments.manage:
# order, pick, pack, dispatch, resolve; shipments.receive: sign receipts at the destination;
# shipments.logger: upload logger files; shipments.decide: QA release or rejection.
def _count_board(session, user, params):
    from app.shipments.exports import count_board

    return count_board(session, user, params)


def _build_board(session, user, params, path, progress):
    from app.shipments.exports import build_board

    return build_board(session, user, params, path, progress)


DOMAIN = Domain(
    name="shipments",
    blueprints=((bp, "/shipments"),),
    permissions={
        "admin": {"shipments.view"},
        "logistics": {"shipments.view", "shipments.manage", "shipments.receive",
                      "shipments.logger"},
        "site": {"shipments.view", "shipments.receive", "shipments.logger"},
        "qp": {"shipments.view", "shipments.decide"},
        "monitor": {"shipments.view"},
    },
    site_scoped=frozenset({"shipments.view", "shipments.receive", "shipments.logger"}),
    jobs=(JobKind("shipment_board", _l("Shipment board (Excel)"), "shipments.view",
                  _count_board, _build_board, filename="shipments.xlsx"),),
    menu=(MenuEntry(_l("Shipments"), "shipments.board", "shipments.view", order=60),),
    state_machines=("app.shipments.states",),
    demo=seed_demo,
    alerts=ALERTS,
    work_queues=WORK_QUEUES,
    template_labels=template_labels,
    audit_actions=AUDIT_ACTIONS,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
