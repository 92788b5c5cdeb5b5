"""QA decisions on kits quarantined after an excursion: release or reject, signed."""

from functools import partial

from app.shipments.models import QaDecision
from app.shipments.services.stock_bridge import move_shipment_kits
from app.stock.api import budget_use, sign_qa_decision


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
    record = sign_qa_decision(
        session, shipment, pending_lines(shipment), line_ids, decision, reason, signer=signer,
        password=password, departure_reason=departure_reason, permission="shipments.decide",
        record=partial(QaDecision, shipment=shipment), document_ref=shipment.number,
        mover=move_shipment_kits)
    shipment.qa_pending = bool(pending_lines(shipment))
    session.flush()
    return record
