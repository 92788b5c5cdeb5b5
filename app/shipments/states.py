"""The shipment's state machines: a shipment, the kits on it and its discrepancies."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.shipments.models import (
    DISCREPANCY_STATUSES,
    LINE_STATUSES,
    SHIPMENT_STATUSES,
    Discrepancy,
    Shipment,
    ShipmentKit,
)

MANAGE, RECEIVE = "shipments.manage", "shipments.receive"

# event -> the audit action it writes (the names the history has always used)
SHIPMENT_ACTIONS = {
    "order": "shipment_ordered", "finish_picking": "shipment_picked", "pack": "shipment_packed",
    "dispatch": "shipment_shipped", "deliver": "shipment_delivered",
    "receive": "shipment_received", "close": "shipment_closed", "cancel": "shipment_cancelled",
}

SHIPMENT = StateMachine(
    name="shipment",
    model=Shipment,
    states=SHIPMENT_STATUSES,
    transitions=[
        Transition("draft", "order", "ordered", MANAGE),
        Transition("ordered", "finish_picking", "picked", MANAGE),
        Transition("picked", "pack", "packed", MANAGE),
        Transition("packed", "dispatch", "shipped", MANAGE),
        Transition("shipped", "deliver", "delivered", MANAGE),
        Transition("shipped", "receive", "received", RECEIVE, signature="received"),
        Transition("delivered", "receive", "received", RECEIVE, signature="received"),
        Transition("received", "close", "closed", MANAGE),
        *(Transition(state, "cancel", "cancelled", MANAGE, reason=True)
          for state in ("draft", "ordered", "picked", "packed")),
    ],
    record_name=_l("Shipment"),
    label_of=lambda shipment: _("Shipment %(n)s", n=shipment.number),
    audit_label=lambda shipment: shipment.number,
    stamps={"ordered": "ordered_at", "picked": "picked_at", "packed": "packed_at",
            "shipped": "dispatched_at", "delivered": "delivered_at",
            "received": "received_at", "closed": "closed_at", "cancelled": "cancelled_at"},
    audit_action=SHIPMENT_ACTIONS.get,
)

SHIPMENT_KIT = StateMachine(
    name="shipment_kit",
    model=ShipmentKit,
    states=LINE_STATUSES,
    transitions=[
        Transition("proposed", "pick", "picked", MANAGE),
        Transition("proposed", "drop", "dropped", MANAGE),
    ],
    record_name=_l("Kit"),
    label_of=lambda line: _("Kit %(kit)s", kit=line.kit.kit_number),
    audit_label=lambda line: line.audit_label(),
    stamps={"picked": "picked_at"},
    audit_action={"pick": "shipment_kit_picked", "drop": "shipment_kit_dropped"}.get,
)

DISCREPANCY = StateMachine(
    name="shipment_discrepancy",
    model=Discrepancy,
    states=DISCREPANCY_STATUSES,
    transitions=[Transition("open", "resolve", "resolved", MANAGE)],
    record_name=_l("Discrepancy"),
    label_of=lambda item: _("Discrepancy “%(kind)s” on shipment %(n)s", kind=item.kind_label,
                            n=item.shipment.number),
    audit_label=lambda item: item.audit_label(),
    stamps={"resolved": "resolved_at"},
    audit_action=lambda event: "discrepancy_resolved",
)
