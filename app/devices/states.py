"""The device, calibration record and impact assessment state machines (data only)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.devices.models import (
    DEVICE_STATES,
    IMPACT_STATES,
    RECORD_STATES,
    CalibrationRecord,
    Device,
    ImpactAssessment,
)

MANAGE, USE, CALIBRATE, AUTHORISE, QA = (
    "devices.manage", "devices.use", "devices.calibrate", "devices.authorise", "devices.qa")
DESTROY = "destruction.execute"  # the responsible person executing a destruction batch
# Moves made only by another domain's service (never from the device page).
BATCH_ONLY = frozenset({"destroy"})

# Where a device may be; the states returns and destruction (issue 16) reuse through api.py.
DEVICE = StateMachine(
    name="device",
    model=Device,
    states=DEVICE_STATES,
    transitions=[
        Transition("in_stock", "allocate", "allocated", MANAGE),
        Transition("allocated", "deallocate", "in_stock", MANAGE),
        Transition("in_stock", "ship", "in_transit", MANAGE),
        Transition("allocated", "ship", "in_transit", MANAGE),
        Transition("returned", "ship", "in_transit", MANAGE),
        Transition("in_transit", "receive", "at_site", USE),
        Transition("in_transit", "receive_back", "in_stock", MANAGE),
        # Found damaged in the boxes: whoever receives the shipment quarantines it at once.
        Transition("in_transit", "receive_damaged", "quarantined", USE, reason=True),
        Transition("at_site", "start_use", "in_use", USE),
        Transition("in_use", "end_use", "at_site", USE),
        Transition("at_site", "return", "returned", USE, reason=True),
        Transition("in_use", "return", "returned", USE, reason=True),
        Transition("returned", "restock", "in_stock", MANAGE),
        *(Transition(state, "send_to_calibration", "in_calibration", CALIBRATE)
          for state in ("in_stock", "returned", "at_site", "quarantined")),
        Transition("in_calibration", "back_from_calibration", "in_stock", CALIBRATE),
        *(Transition(state, "quarantine", "quarantined", MANAGE, reason=True)
          for state in ("in_stock", "allocated", "at_site", "in_use", "returned",
                        "in_calibration")),
        Transition("quarantined", "release", "in_stock", QA, reason=True),
        *(Transition(state, "take_out_of_service", "out_of_service", MANAGE, reason=True)
          for state in ("in_stock", "at_site", "in_use", "returned", "quarantined",
                        "in_calibration")),
        Transition("out_of_service", "send_to_calibration", "in_calibration", CALIBRATE),
        *(Transition(state, "retire", "retired", MANAGE, reason=True)
          for state in ("in_stock", "returned", "quarantined", "out_of_service")),
        # Issue 16: set aside for destruction; only an executed destruction batch destroys it.
        *(Transition(state, "set_for_destruction", "pending_destruction", MANAGE, reason=True)
          for state in ("retired", "quarantined", "returned", "out_of_service")),
        Transition("pending_destruction", "destroy", "destroyed", DESTROY),
    ],
    record_name=_l("Device"),
    label_of=lambda device: _("Device %(serial)s", serial=device.serial),
    audit_label=lambda device: device.serial,
    audit_action=lambda event: f"device_{event}",
)

CALIBRATION_RECORD = StateMachine(
    name="calibration_record",
    model=CalibrationRecord,
    states=RECORD_STATES,
    transitions=[
        Transition("draft", "perform", "performed", CALIBRATE, signature="performed"),
        Transition("performed", "authorise", "authorised", AUTHORISE, signature="approved"),
    ],
    record_name=_l("Calibration record"),
    label_of=lambda record: _("Calibration %(n)s", n=record.certificate_number),
    audit_label=lambda record: record.certificate_number,
    stamps={"performed": "performed_at", "authorised": "authorised_at"},
    audit_action={"perform": "calibration_performed",
                  "authorise": "calibration_authorised"}.get,
)

IMPACT = StateMachine(
    name="impact_assessment",
    model=ImpactAssessment,
    states=IMPACT_STATES,
    transitions=[Transition("open", "close", "closed", QA, signature="approved")],
    record_name=_l("Impact assessment"),
    label_of=lambda impact: _("Impact assessment of %(serial)s", serial=impact.device.serial),
    audit_label=lambda impact: impact.device.serial,
    stamps={"closed": "closed_at"},
    audit_action=lambda event: "impact_closed",
)

# States in which a device can be neither shipped, allocated nor used.
UNUSABLE = frozenset({"quarantined", "out_of_service", "retired", "in_calibration",
                      "pending_destruction", "destroyed"})
