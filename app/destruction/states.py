"""The destruction state machines, declared as data: reconciliations and destruction batches."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.destruction.models import (
    BATCH_STATUSES,
    RECONCILIATION_STATUSES,
    DestructionBatch,
    Reconciliation,
)

RECONCILIATION = StateMachine(
    name="reconciliation",
    model=Reconciliation,
    states=RECONCILIATION_STATUSES,
    transitions=[
        Transition("open", "close", "closed", "destruction.reconcile"),
        Transition("closed", "verify", "verified", "destruction.verify", signature="verified"),
    ],
    record_name=_l("Reconciliation"),
    label_of=lambda rec: _("Reconciliation %(n)s", n=rec.number),
    stamps={"closed": "closed_at", "verified": "verified_at"},
    audit_action=lambda event: f"reconciliation_{event}",
)

BATCH = StateMachine(
    name="destruction_batch",
    model=DestructionBatch,
    states=BATCH_STATUSES,
    transitions=[
        # Who may sign depends on the place (site staff sign their own hospital's on-site
        # destruction): checked in services/batches.py, may_sign().
        Transition("draft", "witness", "witnessed", signature="witnessed_destruction"),
        Transition("witnessed", "execute", "executed", signature="performed"),
    ],
    record_name=_l("Destruction batch"),
    label_of=lambda batch: _("Destruction batch %(n)s", n=batch.number),
    stamps={"witnessed": "witnessed_at", "executed": "executed_at"},
    audit_action=lambda event: f"destruction_batch_{event}",
)
