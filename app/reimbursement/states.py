"""The claim and payment-batch state machines (data only; app.core.states applies them)."""

from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.reimbursement.models import BATCH_STATUSES, CLAIM_STATUSES, Claim, PaymentBatch

# A claim's timeline (ClaimStep) records each of these moves for the patient as well.
CLAIM = StateMachine(
    name="claim",
    model=Claim,
    states=CLAIM_STATUSES,
    record_name=_l("Claim"),
    label_of=lambda claim: claim.reference,
    transitions=[
        # The claimant in the portal, or site staff entering on their behalf.
        Transition("draft", "submit", "submitted"),
        Transition("submitted", "validate", "validated", permission="reimbursement.validate"),
        # The site rejected every line.
        Transition("submitted", "reject", "rejected", permission="reimbursement.validate"),
        Transition("validated", "approve", "approved", permission="reimbursement.approve"),
        # Finance rejected every line.
        Transition("validated", "reject", "rejected", permission="reimbursement.approve"),
        Transition("approved", "batch", "in_batch", permission="reimbursement.pay"),
        Transition("in_batch", "pay", "paid", permission="reimbursement.pay"),
        # Its prepared batch was cancelled: the claim waits for payment again.
        Transition("in_batch", "unbatch", "approved", permission="reimbursement.pay",
                   reason=True),
    ],
    stamps={"submitted": "submitted_at", "validated": "validated_at",
            "approved": "approved_at", "paid": "paid_at"},
    audit_action=lambda event: {
        "submit": "claim_submitted", "validate": "claim_validated",
        "approve": "claim_approved", "reject": "claim_rejected",
        "batch": "claim_in_batch", "pay": "claim_paid",
        "unbatch": "claim_out_of_batch"}[event],
)

# Built by one finance user; released (signed) by another; paid once. Before its release it
# may be cancelled with a reason (its items stay as history; its claims wait again).
PAYMENT_BATCH = StateMachine(
    name="payment_batch",
    model=PaymentBatch,
    states=BATCH_STATUSES,
    record_name=_l("Payment batch"),
    label_of=lambda batch: batch.message_id,
    transitions=[
        Transition("draft", "release", "released", permission="reimbursement.pay",
                   signature="released"),
        Transition("released", "pay", "paid", permission="reimbursement.pay"),
        Transition("draft", "cancel", "cancelled", permission="reimbursement.pay", reason=True),
    ],
    stamps={"released": "released_at", "paid": "paid_at", "cancelled": "cancelled_at"},
    audit_action=lambda event: {"release": "batch_released", "pay": "batch_paid",
                                "cancel": "batch_cancelled"}[event],
)
