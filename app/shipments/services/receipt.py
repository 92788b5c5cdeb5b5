"""Receipt at the destination: scan kits, sign, put kits in stock, open discrepancies."""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.permissions import SITE_SCOPED_ROLES
from app.core.states import apply_transition
from app.devices.api import close_receipt as close_device_receipt
from app.devices.api import receive_scanned, unscanned_at_receipt
from app.shipments.models import Discrepancy
from app.shipments.services.logger import has_excursion
from app.shipments.services.notices import tell_discrepancies, tell_quarantine
from app.shipments.services.signing import check_password_first, sign_or_conflict
from app.shipments.services.stock_bridge import (
    kit_by_number,
    move_shipment_kits,
    needs_cold_chain,
    shipped_kits,
)
from app.shipments.states import DISCREPANCY, SHIPMENT
from app.stock.api import Kit, add_exposure, kit_number_from_scan

RECEIVABLE = ("shipped", "delivered")


def can_receive(user, shipment):
    """Return True when the user may receive the shipment at its destination."""
    destination = shipment.destination
    if destination.kind == "site":
        # The site's own staff receive at a site; the distributor never signs for them.
        return (user.can("shipments.receive") and user.has_role(*SITE_SCOPED_ROLES)
                and destination.site_id in user.site_ids)
    return user.can("shipments.manage")


def _check_receivable(shipment, user):
    if not can_receive(user, shipment):
        raise DomainError(_("You cannot receive shipments for %(place)s.",
                            place=shipment.destination.name))
    if shipment.status in ("received", "closed"):
        raise DomainError(_("Shipment %(n)s has already been received.", n=shipment.number))
    if shipment.status not in RECEIVABLE:
        raise DomainError(_("Shipment %(n)s has not been dispatched yet.", n=shipment.number))


def scan_at_receipt(session, shipment, scanned, outcome, *, by):
    """Record one kit (or device) found in the boxes as in good condition or damaged."""
    _check_receivable(shipment, by)
    if outcome not in ("ok", "damaged"):
        raise DomainError(_("Choose good condition or damaged."), "outcome")
    number = kit_number_from_scan(session, shipment.trial_id, scanned)
    if not number:
        raise DomainError(_("Scan or type a kit number."), "kit_number")
    line = next((line for line in shipment.lines
                 if line.status == "picked" and line.kit.kit_number == number), None)
    if line is None:
        device_line = receive_scanned(session, shipment, scanned, outcome, by)
        if device_line is not None:
            return device_line
        return _unshipped_kit(session, shipment, number[:40], by)
    if line.receipt_outcome is not None:
        raise DomainError(_("Kit %(kit)s was already scanned at %(time)s UTC; it was scanned "
                            "twice. Nothing changed.", kit=number,
                            time=line.scanned_at.strftime("%H:%M")
                            if line.scanned_at else "—"), "kit_number")
    line.receipt_outcome = outcome
    line.scanned_at = utcnow()
    session.flush()
    return line


def _unshipped_kit(session, shipment, number, by):
    """Open a discrepancy for a kit found in the boxes that was not shipped; return it.

    The kit does not enter stock here: logistics finds out where it belongs. A number no kit
    of any trial has is a misread or a typing slip: it is refused, and nothing is opened.
    """
    kit = kit_by_number(session, shipment.trial_id, number)
    if kit is None and not session.scalar(select(Kit.id).where(Kit.kit_number == number)):
        raise DomainError(_("No kit has the number %(kit)s. Check the label and scan again; "
                            "nothing was recorded.", kit=number), "kit_number")
    text = _("Kit %(kit)s arrived in shipment %(n)s but was not shipped on it.", kit=number,
             n=shipment.number)
    if session.scalar(select(Discrepancy.id).where(
            Discrepancy.shipment_id == shipment.id, Discrepancy.description == text)):
        raise DomainError(_("Kit %(kit)s was already recorded as not shipped; it was scanned "
                            "twice. Nothing changed.", kit=number), "kit_number")
    item = Discrepancy(shipment_id=shipment.id, kit_id=kit.id if kit else None, kind="other",
                       description=text, opened_by_id=by.id)
    session.add(item)
    shipment.open_discrepancies = (shipment.open_discrepancies or 0) + 1
    session.flush()
    tell_discrepancies(session, shipment, [item])
    return item


def receive_shipment(session, shipment, *, by, password, logger_confirmed=False,
                     comment=None, missing_confirmed=False):
    """Sign the receipt; received kits enter stock, problems open discrepancies.

    Kits not scanned are recorded as missing; the signer confirms that first.
    """
    _check_receivable(shipment, by)
    kits = shipped_kits(shipment)
    if needs_cold_chain(kits) and not shipment.logger_uploads:
        raise DomainError(_("These kits travel in the cold chain: upload the logger data "
                            "before signing the receipt."), "file")
    if shipment.logger_uploads and not logger_confirmed:
        raise DomainError(_("Confirm that you have checked the logger data."),
                          "logger_confirmed")
    unscanned = sum(1 for line in shipment.lines
                    if line.status == "picked" and line.receipt_outcome is None)
    if unscanned and not missing_confirmed:
        raise DomainError(ngettext("%(num)s kit will be recorded as missing. Scan it, or "
                                   "confirm that it is missing.",
                                   "%(num)s kits will be recorded as missing. Scan them, or "
                                   "confirm that they are missing.", unscanned),
                          "missing_confirmed")
    devices_unscanned = len(unscanned_at_receipt(session, shipment.id))
    if devices_unscanned and not missing_confirmed:
        raise DomainError(ngettext("%(num)s device will be recorded as missing. Scan it, or "
                                   "confirm that it is missing.",
                                   "%(num)s devices will be recorded as missing. Scan them, "
                                   "or confirm that they are missing.", devices_unscanned),
                          "missing_confirmed")
    check_password_first(session, shipment, meaning="received", signer=by, password=password)
    # Of two people signing at once, the loser is refused at its first write (the signature
    # on SQLite, the conditional status change on PostgreSQL) and keeps nothing.
    signature = sign_or_conflict(session, shipment, SHIPMENT.conflict(shipment),
                                 meaning="received", signer=by, password=password,
                                 comment=comment)
    apply_transition(session, SHIPMENT, shipment, "receive", by=by, signature=signature,
                     values={"received_by_id": by.id})
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
    extremes = [e for upload in shipment.logger_uploads for e in upload.excursions]
    add_exposure(session, [li.kit for li in groups["ok"] + groups["damaged"]],
                 shipment.minutes_out or 0.0,
                 min((e.min_c for e in extremes), default=None),
                 max((e.max_c for e in extremes), default=None),
                 source=("shipment", shipment.id, shipment.number))
    opened = _open_discrepancies(session, shipment, groups, by)
    opened += _device_discrepancies(session, shipment, by)
    shipment.qa_pending = excursion and bool(groups["ok"])
    session.flush()
    if opened:
        tell_discrepancies(session, shipment, opened)
    if shipment.qa_pending:
        tell_quarantine(session, shipment, len(groups["ok"]))
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


def _device_discrepancies(session, shipment, by):
    """Damaged and unscanned devices each open a discrepancy naming the device."""
    damaged, missing = close_device_receipt(session, shipment, by)
    opened = []
    for kind, lines in (("damaged", damaged), ("missing", missing)):
        for line in lines:
            text = (_("Device %(serial)s arrived damaged.", serial=line.device.serial)
                    if kind == "damaged" else
                    _("Device %(serial)s was not in the boxes.", serial=line.device.serial))
            item = Discrepancy(shipment_id=shipment.id, device_id=line.device_id, kind=kind,
                               description=text, opened_by_id=by.id)
            session.add(item)
            opened.append(item)
    shipment.open_discrepancies = (shipment.open_discrepancies or 0) + len(opened)
    return opened


def resolve_discrepancy(session, discrepancy, resolution, *, by):
    """Close a discrepancy with what was done about it."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("Say how the discrepancy was resolved."), "resolution")
    if len(resolution) > 500:
        raise DomainError(_("At most 500 characters."), "resolution")
    if discrepancy.status == "resolved":
        raise DomainError(_("This discrepancy is already resolved."))
    apply_transition(session, DISCREPANCY, discrepancy, "resolve", by=by,
                     values={"resolution": resolution, "resolved_by_id": by.id})
    shipment = discrepancy.shipment
    shipment.open_discrepancies = session.scalar(
        select(func.count()).select_from(Discrepancy).where(
            Discrepancy.shipment_id == shipment.id, Discrepancy.status == "open"))
    session.flush()
