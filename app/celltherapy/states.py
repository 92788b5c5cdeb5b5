"""The therapy order's steps and the dry shipper's life, declared as data."""

from flask_babel import lazy_gettext as _l

from app.celltherapy.models import ORDER_STATUSES, SHIPPER_STATUSES, DryShipper, TherapyOrder
from app.core.states import StateMachine, Transition

SITE, LAB, RELEASE = "celltherapy.site", "celltherapy.lab", "celltherapy.release"

ORDER = StateMachine(
    name="therapy_order",
    model=TherapyOrder,
    states=ORDER_STATUSES,
    record_name=_l("Therapy order"),
    label_of=lambda order: order.reference,
    audit_action=lambda event: f"therapy_{event}",
    stamps={"collected": "collected_at", "to_lab": "to_lab_at", "at_lab": "at_lab_at",
            "manufacturing": "manufacturing_at", "released": "released_at",
            "to_site": "to_site_at", "received": "received_at", "stored": "stored_at",
            "thawed": "thawed_at", "infused": "infused_at", "failed": "failed_at"},
    transitions=[
        Transition("scheduled", "collect", "collected", SITE),
        Transition("collected", "ship_to_lab", "to_lab", SITE),
        Transition("to_lab", "receive_at_lab", "at_lab", LAB, signature="received"),
        Transition("at_lab", "start_manufacturing", "manufacturing", LAB),
        Transition("manufacturing", "release", "released", RELEASE, signature="released"),
        Transition("manufacturing", "out_of_spec", "out_of_spec", RELEASE, reason=True),
        Transition("out_of_spec", "release_by_exception", "released", SITE, reason=True,
                   signature="approved"),
        Transition("manufacturing", "fail", "failed", LAB, reason=True),
        Transition("out_of_spec", "fail", "failed", SITE, reason=True),
        Transition("at_lab", "fail", "failed", LAB, reason=True),
        Transition("failed", "recollect", "scheduled", SITE, reason=True),
        Transition("released", "ship_to_site", "to_site", LAB),
        Transition("to_site", "receive_at_site", "received", SITE, signature="received"),
        Transition("received", "store", "stored", SITE),
        Transition("stored", "thaw", "thawed", SITE),
        Transition("thawed", "infuse", "infused", SITE, signature="performed"),
    ],
)

SHIPPER = StateMachine(
    name="dry_shipper",
    model=DryShipper,
    states=SHIPPER_STATUSES,
    record_name=_l("Dry shipper"),
    label_of=lambda shipper: shipper.code,
    audit_action=lambda event: f"shipper_{event}",
    stamps={"charged": "charged_at", "in_use": "dispatched_at", "available": "requalified_at",
            "retired": "retired_at"},
    transitions=[
        Transition("available", "charge", "charged", "celltherapy.shippers"),
        Transition("charged", "dispatch", "in_use", "celltherapy.lab"),
        Transition("in_use", "return", "requalification", "celltherapy.shippers"),
        Transition("requalification", "requalify", "available", "celltherapy.shippers"),
        Transition("available", "retire", "retired", "celltherapy.shippers", reason=True),
        Transition("charged", "retire", "retired", "celltherapy.shippers", reason=True),
        Transition("requalification", "retire", "retired", "celltherapy.shippers",
                   reason=True),
    ],
)
