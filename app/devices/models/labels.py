"""Labels of the devices domain's states and choices (both languages)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

DEVICE_STATES = {
    "in_stock": _l("In stock"),
    "allocated": _l("Allocated"),
    "in_transit": _l("In transit"),
    "at_site": _l("At site"),
    "in_use": _l("In use"),
    "returned": lazy_pgettext("device status", "Returned"),
    "in_calibration": _l("In calibration"),
    "quarantined": _l("Quarantined"),
    "out_of_service": _l("Out of service"),
    "retired": lazy_pgettext("device status", "Retired"),
    "pending_destruction": _l("Pending destruction"),
    "destroyed": _l("Destroyed"),
}
DEVICE_CLASSES = {"I": "I", "IIa": "IIa", "IIb": "IIb", "III": "III"}
DEVICE_KINDS = {
    "investigational": _l("Investigational device"),
    "thermometer": _l("Thermometer"),
    "logger": _l("Temperature logger"),
    "scale": _l("Scale"),
    "bp_monitor": _l("Blood-pressure monitor"),
    "centrifuge": _l("Centrifuge"),
    "infusion_pump": _l("Infusion pump"),
    "ecg": _l("ECG"),
    "reference": _l("Reference standard"),
    "other": _l("Other instrument"),
}
EVENT_KINDS = {
    "receipt": _l("Received at site"),
    "use": _l("Used"),
    "implant": _l("Implanted"),
    "explant": _l("Explanted"),
    "return_unused": _l("Returned unused"),
    "return_faulty": _l("Returned faulty"),
}
LAB_KINDS = {"internal": _l("In-house"), "external": _l("External laboratory")}
DECISION_RULES = {
    "simple": _l("Simple acceptance (|error| ≤ tolerance)"),
    "guard_band": _l("Guard band (|error| ≤ tolerance − U)"),
    "ilac_g8": _l("ILAC-G8 pass / conditional pass / conditional fail / fail"),
}
RESULTS = {
    "pass": _l("Pass"),
    "conditional_pass": _l("Conditional pass"),
    "conditional_fail": _l("Conditional fail"),
    "fail": _l("Fail"),
}
RECORD_STATES = {
    "draft": _l("Draft"),
    "performed": _l("Performed"),
    "authorised": _l("Authorised"),
}
SHIPMENT_DEVICE_STATES = {
    "proposed": _l("Proposed"), "picked": _l("Picked"), "received": _l("Received"),
    "damaged": _l("Damaged"), "missing": lazy_pgettext("kit receipt", "Missing"),
}
