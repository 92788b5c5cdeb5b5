"""QA decisions on kits quarantined after an excursion: release or reject, signed."""

from flask_babel import gettext as _

from app.core.errors import DomainError
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
    if not signer.can("shipments.decide"):
        raise DomainError(_("Only QA may decide on kits after an excursion."))
    wanted = set(line_ids or ())
    lines = [line for line in pending_lines(shipment) if line.id in wanted]

    def make_record(reason, departure_reason):
        record = QaDecision(shipment_id=shipment.id, decision=decision, reason=reason,
                            decided_by_id=signer.id, departure_reason=departure_reason)
        record.shipment = shipment
        return record

    record = sign_qa_decision(
        session, shipment, lines, decision, reason, departure_reason, signer=signer,
        password=password, make_record=make_record,
        move=lambda kits, state, event, why: move_shipment_kits(
            session, kits, state, event, by=signer, document_ref=shipment.number, reason=why))
    shipment.qa_pending = bool(pending_lines(shipment))
    session.flush()
    return record
