"""Receipt at the destination: scan kits, sign, put kits in stock, open discrepancies."""

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.audit.services import record_event
from app.core.models import utcnow
from app.esign.services import sign
from app.shipments.coldchain import check_password_first, has_excursion, shipped_kits
from app.shipments.models import Discrepancy
from app.shipments.notices import shipment_link, tell, users_with_roles
from app.shipments.services import ShipmentError, change_status, run_conditional
from app.shipments.stock_bridge import move_shipment_kits, needs_cold_chain

RECEIVABLE = ("shipped", "delivered")


def can_receive(user, shipment):
    """Return True when the user may receive the shipment at its destination."""
    destination = shipment.destination
    if destination.kind == "site":
        # The site's own staff receive at a site; the distributor never signs for them.
        return (user.can("shipments.receive") and user.is_site_scoped
                and destination.site_id in user.site_ids)
    return user.can("shipments.manage")


def _check_receivable(shipment, user):
    if not can_receive(user, shipment):
        raise ShipmentError(_("You cannot receive shipments for %(place)s.",
                              place=shipment.destination.name))
    if shipment.status in ("received", "closed"):
        raise ShipmentError(_("Shipment %(n)s has already been received.", n=shipment.number))
    if shipment.status not in RECEIVABLE:
        raise ShipmentError(_("Shipment %(n)s has not been dispatched yet.", n=shipment.number))


def scan_at_receipt(session, shipment, scanned, outcome, *, by):
    """Record one kit found in the boxes as in good condition or damaged."""
    _check_receivable(shipment, by)
    if outcome not in ("ok", "damaged"):
        raise ShipmentError(_("Choose good condition or damaged."), "outcome")
    number = (scanned or "").strip()
    if not number:
        raise ShipmentError(_("Scan or type a kit number."), "kit_number")
    line = next((line for line in shipment.lines
                 if line.status == "picked" and line.kit.kit_number == number), None)
    if line is None:
        raise ShipmentError(_("Kit %(kit)s was not shipped on %(n)s. Nothing was recorded; "
                              "set the kit aside and tell logistics.", kit=number[:40],
                              n=shipment.number), "kit_number")
    line.receipt_outcome = outcome
    line.scanned_at = utcnow()
    session.flush()
    return line


def receive_shipment(session, shipment, *, by, password, logger_confirmed=False,
                     comment=None):
    """Sign the receipt; received kits enter stock, problems open discrepancies."""
    _check_receivable(shipment, by)
    kits = shipped_kits(shipment)
    if needs_cold_chain(kits) and not shipment.logger_uploads:
        raise ShipmentError(_("These kits travel in the cold chain: upload the logger data "
                              "before signing the receipt."), "file")
    if shipment.logger_uploads and not logger_confirmed:
        raise ShipmentError(_("Confirm that you have checked the logger data."),
                            "logger_confirmed")
    check_password_first(session, shipment, meaning="received", signer=by, password=password)
    # The conditional status change comes first: of two people signing at once, the loser
    # stops here, before any signature or stock movement is written.
    change_status(session, shipment, "received", received_by_id=by.id)
    sign(session, shipment, meaning="received", signer=by, password=password, comment=comment)
    excursion = has_excursion(shipment)
    quarantine = excursion or shipment.kind == "return"
    groups = {"ok": [], "damaged": [], "missing": []}
    lines = [line for line in shipment.lines if line.status == "picked"]
    for line in lines:
        line.receipt_outcome = line.receipt_outcome or "missing"
        line.holds = False
        line.minutes_out = shipment.minutes_out or 0.0
        line.quarantined = line.receipt_outcome == "ok" and excursion
        groups[line.receipt_outcome].append(line)
    destination = shipment.destination
    ref = shipment.number
    move_shipment_kits(session, [li.kit for li in groups["ok"]],
                       "quarantined" if quarantine else "received", "transfer_in", by=by,
                       document_ref=ref, to_location=destination)
    move_shipment_kits(session, [li.kit for li in groups["damaged"]], "damaged", "transfer_in",
                       by=by, document_ref=ref, to_location=destination)
    move_shipment_kits(session, [li.kit for li in groups["missing"]], "missing", "loss", by=by,
                       document_ref=ref)
    opened = _open_discrepancies(session, shipment, groups, by)
    shipment.qa_pending = excursion and bool(groups["ok"])
    session.flush()
    if opened:
        _tell_discrepancies(session, shipment, opened)
    if shipment.qa_pending:
        _tell_quarantine(session, shipment, len(groups["ok"]))
    return {key: len(value) for key, value in groups.items()}


def _open_discrepancies(session, shipment, groups, by):
    opened = []
    for kind in ("damaged", "missing"):
        for line in groups[kind]:
            text = (_("Kit %(kit)s arrived damaged.", kit=line.kit.kit_number) if kind ==
                    "damaged" else _("Kit %(kit)s was not in the boxes.",
                                     kit=line.kit.kit_number))
            item = Discrepancy(shipment_id=shipment.id, kit_id=line.kit_id, kind=kind,
                               description=text, opened_by_id=by.id)
            session.add(item)
            opened.append(item)
    shipment.open_discrepancies = (shipment.open_discrepancies or 0) + len(opened)
    return opened


def _tell_discrepancies(session, shipment, opened):
    tell(session, users_with_roles(session, ("logistics", "qp")),
         lambda: (_("Discrepancy at receipt of shipment %(n)s", n=shipment.number),
                  _("%(count)s kits of shipment %(n)s arrived damaged or were missing at "
                    "%(place)s. Resolve the discrepancy records.", count=len(opened),
                    n=shipment.number, place=shipment.destination.name)),
         shipment_link(shipment))


def _tell_quarantine(session, shipment, count):
    tell(session, users_with_roles(session, ("qp", "logistics")),
         lambda: (_("Kits quarantined: shipment %(n)s awaits a QA decision", n=shipment.number),
                  _("%(count)s kits of shipment %(n)s were received after a temperature "
                    "excursion of %(minutes)s minutes and are quarantined at %(place)s. "
                    "Release or reject them.", count=count, n=shipment.number,
                    minutes=shipment.minutes_out, place=shipment.destination.name)),
         shipment_link(shipment))


def resolve_discrepancy(session, discrepancy, resolution, *, by):
    """Close a discrepancy with what was done about it."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ShipmentError(_("Say how the discrepancy was resolved."), "resolution")
    if len(resolution) > 500:
        raise ShipmentError(_("At most 500 characters."), "resolution")
    now = utcnow()
    run_conditional(session, update(Discrepancy)
                    .where(Discrepancy.id == discrepancy.id, Discrepancy.status == "open")
                    .values(status="resolved", resolution=resolution, resolved_at=now,
                            resolved_by_id=by.id),
                    _("This discrepancy is already resolved."))
    session.refresh(discrepancy)
    record_event(session, "discrepancy_resolved", "shipment_discrepancy", discrepancy.id,
                 label=discrepancy.audit_label(),
                 changes={"status": ("open", "resolved"), "resolution": (None, resolution)})
    shipment = discrepancy.shipment
    shipment.open_discrepancies = session.scalar(
        select(func.count()).select_from(Discrepancy).where(
            Discrepancy.shipment_id == shipment.id, Discrepancy.status == "open"))
    session.flush()
