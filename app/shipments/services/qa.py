"""QA decisions on kits quarantined after an excursion: release or reject, signed."""

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.esign.services import sign
from app.shipments.models import QaDecision
from app.shipments.services.signing import check_password_first
from app.shipments.services.stock_bridge import move_shipment_kits
from app.stock.api import budget_use


def pending_lines(shipment):
    """Return the quarantined lines still waiting for a QA decision."""
    return [line for line in shipment.lines if line.quarantined and line.qa_outcome is None]


def proposals(shipment):
    """Return {line id: BudgetUse} of the pending kits: budget used and the proposal."""
    return {line.id: budget_use(line.kit) for line in pending_lines(shipment)}


def decide_on_kits(session, shipment, line_ids, decision, reason, *, signer, password,
                   departure_reason=None):
    """Release or reject quarantined kits with a reason and the QA signer's e-signature.

    The stability budget proposes release (within budget) or reject (over it, or beyond the
    absolute limits); QA decides, and departs from the proposal only with a reason.
    """
    if decision not in ("released", "rejected"):
        raise DomainError(_("Choose release or reject."), "decision")
    if not signer.can("shipments.decide"):
        raise DomainError(_("Only QA may decide on kits after an excursion."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the decision."), "reason")
    wanted = set(line_ids or ())
    lines = [line for line in pending_lines(shipment) if line.id in wanted]
    if not lines:
        raise DomainError(_("Choose at least one kit waiting for a decision."), "kits")
    departure_reason = (departure_reason or "").strip() or None
    departing = [line.kit.kit_number for line in lines
                 if budget_use(line.kit).proposal not in (None, decision)]
    if departing and departure_reason is None:
        raise DomainError(_("The stability budget proposes the other decision for %(kits)s. "
                            "Say why you depart from the proposal.",
                            kits=", ".join(departing)), "departure_reason")
    if not departing:
        departure_reason = None
    check_password_first(session, shipment, meaning=decision, signer=signer,
                         password=password)
    record = QaDecision(shipment_id=shipment.id, decision=decision, reason=reason,
                        decided_by_id=signer.id, departure_reason=departure_reason)
    record.shipment = shipment
    record.lines = lines
    session.add(record)
    session.flush()
    sign(session, record, meaning=decision, signer=signer, password=password)
    kits = [line.kit for line in lines]
    if decision == "released":
        move_shipment_kits(session, kits, "available", "release", by=signer,
                           document_ref=shipment.number, reason=reason)
    else:
        move_shipment_kits(session, kits, "pending_destruction", "adjustment", by=signer,
                           document_ref=shipment.number, reason=reason)
    for line in lines:
        line.qa_outcome = decision
    shipment.qa_pending = bool(pending_lines(shipment))
    session.flush()
    return record
