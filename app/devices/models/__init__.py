"""Device models, devices, their accountability, calibration plans, records and impact."""

from app.devices.models.calibration import (
    CalibrationPlan,
    CalibrationPoint,
    CalibrationRecord,
    PlanTolerance,
    RecordStandard,
)
from app.devices.models.devices import (
    DEVICE_CLASSES,
    DEVICE_KINDS,
    DEVICE_STATES,
    EVENT_KINDS,
    Device,
    DeviceEvent,
    DeviceLogReview,
    DeviceModel,
    ShipmentDevice,
)
from app.devices.models.impact import IMPACT_DECISIONS, IMPACT_STATES, ImpactAssessment
from app.devices.models.labels import (
    DECISION_RULES,
    LAB_KINDS,
    RECORD_STATES,
    RESULTS,
    SHIPMENT_DEVICE_STATES,
)

__all__ = [
    "DECISION_RULES", "DEVICE_CLASSES", "DEVICE_KINDS", "DEVICE_STATES", "EVENT_KINDS",
    "IMPACT_DECISIONS", "IMPACT_STATES", "LAB_KINDS", "RECORD_STATES", "RESULTS",
    "SHIPMENT_DEVICE_STATES", "CalibrationPlan", "CalibrationPoint", "CalibrationRecord",
    "Device", "DeviceEvent", "DeviceLogReview", "DeviceModel", "ImpactAssessment",
    "PlanTolerance", "RecordStandard", "ShipmentDevice",
]
