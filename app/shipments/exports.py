"""Board rows for Excel and the stories of the packing list, label and proof of delivery."""

from datetime import UTC

from flask import current_app
from flask_babel import gettext as _
from reportlab.platypus import Spacer
from sqlalchemy.orm import aliased, object_session

from app.coldchain.excursions import downsample
from app.coldchain.pdf_chart import temperature_drawing
from app.core.templating import number as local_number
from app.devices.api import shipment_device_story
from app.exports.pdf import para, table
from app.exports.pdf_label import CourierLabel
from app.shipments.models import RECEIPT_OUTCOMES, SHIPMENT_KINDS, SHIPMENT_STATUSES, Shipment
from app.shipments.services.logger import readings_of
from app.shipments.services.stock_bridge import needs_cold_chain, storage_range
from app.stock.api import Location
from app.trials.api import Trial


def board_headers():
    """Return the column titles of the shipment board export."""
    return [_("Shipment"), _("Kind"), _("Status"), _("Trial"), _("From"), _("To"),
            _("Kits requested"), _("Created (UTC)"), _("Dispatched (UTC)"),
            _("Expected arrival"), _("Received (UTC)"), _("Courier"), _("Tracking number"),
            _("Overdue"), _("Minutes out of range"), _("Awaiting QA"),
            _("Open discrepancies")]


# Column index -> Excel number format for the date columns of the board export.
BOARD_NUMBER_FORMATS = {7: "yyyy-mm-dd hh:mm", 8: "yyyy-mm-dd hh:mm", 9: "yyyy-mm-dd",
                        10: "yyyy-mm-dd hh:mm"}


def board_export_statement(stmt):
    """Return the board query narrowed to the exported columns (no ORM objects to build)."""
    origin, destination = aliased(Location), aliased(Location)
    return (stmt.with_only_columns(
        Shipment.number, Shipment.kind, Shipment.status, Trial.protocol_code, origin.name,
        destination.name, Shipment.requested_kits, Shipment.created_at,
        Shipment.dispatched_at, Shipment.expected_arrival, Shipment.received_at,
        Shipment.courier, Shipment.tracking_number, Shipment.minutes_out, Shipment.qa_pending,
        Shipment.open_discrepancies)
        .join(Trial, Trial.id == Shipment.trial_id)
        .join(origin, origin.id == Shipment.origin_id)
        .join(destination, destination.id == Shipment.destination_id)
        .order_by(Shipment.created_at.desc()))


def board_rows(result, overdue_before):
    """Yield one export row per (number, kind, status, ...) tuple of board_export_statement."""
    kinds = {k: str(v) for k, v in SHIPMENT_KINDS.items()}
    statuses = {k: str(v) for k, v in SHIPMENT_STATUSES.items()}
    yes, no = _("Yes"), _("No")
    for (number, kind, status, trial, origin, destination, requested, created, dispatched,
         arrival, received, courier, tracking, minutes, qa_pending, discrepancies) in result:
        overdue = (status in ("shipped", "delivered") and dispatched is not None
                   and dispatched < overdue_before)
        yield [number, kinds[kind], statuses[status], trial, origin, destination, requested,
               _naive(created), _naive(dispatched), arrival, _naive(received), courier,
               tracking, yes if overdue else no, minutes, yes if qa_pending else no,
               discrepancies]


def _naive(moment):
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC through a column select
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _picked(shipment):
    return [line for line in shipment.lines if line.status == "picked"]


def _route_rows(shipment, address=None):
    rows = [[_("Shipment"), shipment.number], [_("Kind"), str(SHIPMENT_KINDS[shipment.kind])],
            [_("Trial"), shipment.trial.protocol_code],
            [_("From"), shipment.origin.name], [_("To"), shipment.destination.name]]
    if shipment.kind == "patient":
        rows.append([_("Deliver to"), address or _("Address held by the site; not shown to "
                                                     "your role.")])
    return rows


def storage_text(kits):
    """Return the storage conditions of the kits, e.g. 'Store at 2 to 8 °C'."""
    limits = storage_range(kits)
    if limits is None:
        return "—"
    return _("Store at %(low)s to %(high)s °C", low=local_number(limits[0]),
             high=local_number(limits[1]))


def packing_list_story(shipment, address=None):
    """Return the packing list: route, boxes, loggers, storage, kits with lot and expiry."""
    lines = _picked(shipment)
    kits = [line.kit for line in lines]
    rows = _route_rows(shipment, address) + [
        [_("Boxes"), shipment.boxes or "—"], [_("Box ids"), shipment.box_ids or "—"],
        [_("Temperature logger ids"), shipment.logger_ids or "—"],
        [_("Storage conditions"), storage_text(kits)],
        [_("Cold chain"), _("Yes") if needs_cold_chain(kits) else _("No")],
        [_("Expected arrival"), shipment.expected_arrival or "—"],
        [_("Number of kits"), len(kits)]]
    kit_rows = [[i, k.kit_number, k.lot.number, k.expires_on.isoformat(), str(k.product)]
                for i, k in enumerate(kits, start=1)]
    return [table([_("Field"), _("Value")], rows, col_widths=[140, 340]), Spacer(1, 10),
            para(_("Kits"), "Heading2"),
            table(["#", _("Kit"), _("Lot"), _("Expiry"), _("Product")], kit_rows,
                  col_widths=[30, 90, 100, 80, 180]),
            *shipment_device_story(object_session(shipment), shipment.id)]


def courier_label(shipment, address=None):
    """Return the CourierLabel of a shipment: sender, recipient with contact and phone,
    storage conditions and the shipment number as a Code128 barcode."""
    config = current_app.config
    kits = [line.kit for line in _picked(shipment)]
    destination, site = shipment.destination, shipment.destination.site
    if shipment.kind == "patient" and address:
        recipient, contact = [address], _("Contact: the patient (see address)")
    elif site is not None:
        recipient = [site.hospital, destination.name, site.address]
        contact = _("Contact: %(name)s · Tel. %(phone)s", name=site.principal_investigator,
                    phone=site.phone or "—")
    else:
        recipient, contact = [destination.name], _("Contact: %(name)s", name=destination.name)
    return CourierLabel(
        title=_("Shipping label %(number)s", number=shipment.number),
        sender_heading=_("From"),
        sender=[config.get("COMPANY_NAME"), shipment.origin.name, config.get("COMPANY_ADDRESS"),
                _("Tel. %(phone)s", phone=config.get("COMPANY_PHONE") or "—")],
        recipient_heading=_("To"), recipient=recipient, contact=contact,
        storage=storage_text(kits), barcode=shipment.number,
        details=[_("Boxes: %(boxes)s · Courier: %(courier)s · Tracking: %(tracking)s",
                   boxes=shipment.boxes or "—", courier=shipment.courier or "—",
                   tracking=shipment.tracking_number or "—")],
        footer=_("For clinical trial use only"))


def temperature_story(session, shipment):
    """Return, for each logger file, its figures, excursions and the chart."""
    story = []
    for upload in shipment.logger_uploads:
        times, temps = readings_of(session, upload)
        t, v = downsample(times, temps, 800)
        story += [para(_("Logger %(id)s", id=upload.logger_serial), "Heading3"),
                  para(_("%(n)s readings from %(first)s to %(last)s UTC; range %(low)s to "
                         "%(high)s °C; lowest %(min)s °C, highest %(max)s °C; %(m)s minutes out "
                         "of range.", n=upload.reading_count,
                         first=upload.first_at.strftime("%Y-%m-%d %H:%M"),
                         last=upload.last_at.strftime("%Y-%m-%d %H:%M"),
                         low=local_number(upload.low_c, 1), high=local_number(upload.high_c, 1),
                         min=local_number(upload.min_c, 1), max=local_number(upload.max_c, 1),
                         m=local_number(upload.minutes_out, 1))),
                  temperature_drawing(t, v, upload.low_c, upload.high_c,
                                      [(e.started_at, e.ended_at) for e in upload.excursions])]
        if upload.excursions:
            story.append(table(
                [_("Start (UTC)"), _("End (UTC)"), _("Minutes"), _("Lowest °C"),
                 _("Highest °C")],
                [[e.started_at, e.ended_at, e.minutes, e.min_c, e.max_c]
                 for e in upload.excursions], col_widths=[120, 120, 70, 80, 80]))
    return story or [para(_("No logger data was attached."))]


def proof_of_delivery_story(session, shipment, exposure, address=None):
    """Return the proof of delivery: route, kits with outcome and exposure, temperatures."""
    rows = _route_rows(shipment, address) + [
        [_("Courier"), shipment.courier or "—"],
        [_("Tracking number"), shipment.tracking_number or "—"],
        [_("Dispatched"), shipment.dispatched_at or "—"],
        [_("Received"), shipment.received_at or "—"]]
    kit_rows = [[line.kit.kit_number, line.kit.lot.number, line.kit.expires_on.isoformat(),
                 str(RECEIPT_OUTCOMES.get(line.receipt_outcome, "—")),
                 line.minutes_out, exposure.get(line.kit_id, 0)]
                for line in _picked(shipment)]
    return [table([_("Field"), _("Value")], rows, col_widths=[140, 340]), Spacer(1, 10),
            para(_("Kits"), "Heading2"),
            table([_("Kit"), _("Lot"), _("Expiry"), _("Receipt"), _("Minutes out (this trip)"),
                   _("Minutes out (all trips)")], kit_rows,
                  col_widths=[80, 80, 70, 110, 70, 70]),
            *shipment_device_story(session, shipment.id),
            Spacer(1, 10), para(_("Temperature"), "Heading2"),
            *temperature_story(session, shipment)]


# -- the board export as a background job (app.jobs) when it is large ----------------------

def board_sheet(session, user, args):
    """Return the board sheet of the shipments the user sees, narrowed by the filters."""
    from datetime import timedelta

    from app.core.models import utcnow
    from app.exports.excel import Sheet
    from app.shipments.queries import apply_filters, overdue_days, visible_shipments

    stmt = board_export_statement(apply_filters(visible_shipments(user), args))
    result = session.execute(stmt.execution_options(yield_per=2000))
    overdue_before = utcnow() - timedelta(days=overdue_days())
    return Sheet(_("Shipments"), board_headers(), board_rows(result, overdue_before),
                 number_formats=BOARD_NUMBER_FORMATS)


def count_board(session, user, params):
    """Return how many shipments the filtered board export has (the job kind's count)."""
    from sqlalchemy import func, select
    from werkzeug.datastructures import MultiDict

    from app.shipments.queries import apply_filters, visible_shipments

    stmt = apply_filters(visible_shipments(user), MultiDict(params))
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def build_board(session, user, params, path, progress):
    """Write the filtered board to path (the job kind's build)."""
    from werkzeug.datastructures import MultiDict

    from app.exports.excel import write_xlsx_file

    write_xlsx_file(path, [board_sheet(session, user, MultiDict(params))], progress)
