"""Shipment forms: order, scan, pack, dispatch, logger upload, receipt, QA decision.

The QA decision form is stock's, shared with the decisions on storage excursions.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.coldchain.forms import LoggerReadForm
from app.core.forms import no_control_chars, reason_field, scan_field, text_field
from app.esign.forms import SignForm
from app.shipments.models import SHIPMENT_KINDS, TRACKING_MAX
from app.stock.api import QaDecisionForm


class ShipmentForm(FlaskForm):
    """A new shipment order."""

    trial_id = SelectField(_l("Trial"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("Kind of shipment"), choices=list(SHIPMENT_KINDS.items()))
    origin_id = SelectField(_l("From"), validators=[InputRequired()])
    destination_id = SelectField(_l("To"), validators=[InputRequired()])
    subject_id = SelectField(_l("Subject (direct-to-patient only)"), coerce=int,
                             validators=[Optional()])
    requested_kits = IntegerField(_l("Kits"), validators=[
        InputRequired(message=_l("Give the number of kits.")), NumberRange(min=0, max=5000)],
        description=_l("0 for a shipment that carries devices only."))
    expected_arrival = DateField(_l("Expected arrival"), validators=[
        InputRequired(message=_l("Give the expected arrival date."))])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=500), no_control_chars],
                          render_kw={"rows": 2})


class ScanForm(FlaskForm):
    """One kit number, scanned or typed."""

    kit_number = scan_field(_l("Kit number"), render_kw={"autofocus": True})


class ReceiptScanForm(ScanForm):
    """A kit found in the boxes and its condition."""

    outcome = RadioField(_l("Condition"), choices=[("ok", _l("Good condition")),
                                                   ("damaged", _l("Damaged"))], default="ok")


class PackForm(FlaskForm):
    """Boxes and loggers packed with the kits."""

    boxes = IntegerField(_l("Number of boxes"), validators=[
        InputRequired(message=_l("Give the number of boxes.")), NumberRange(min=1, max=99)])
    box_ids = text_field(_l("Box ids"), 200, required=False)
    logger_ids = text_field(_l("Temperature logger ids"), 200, required=False,
                            description=_l("Refrigerated products need one to be dispatched: "
                                           "give it here, or at the latest at dispatch."))


class DispatchForm(FlaskForm):
    """Courier hand-over."""

    courier = text_field(_l("Courier"), 100)
    tracking_number = text_field(_l("Tracking number"), TRACKING_MAX, required=False)
    expected_arrival = DateField(_l("Expected arrival"), validators=[
        InputRequired(message=_l("Give the expected arrival date."))])
    logger_ids = text_field(_l("Temperature logger ids"), 200, required=False)


class LoggerForm(LoggerReadForm):
    """A shipment logger's export file: the reading choices, the logger id, QA's acceptance."""

    logger_serial = text_field(_l("Logger id"), 60, required=False)
    accept_reason = text_field(_l("QA: accept readings outside the journey, because"), 500,
                               required=False)


class ReceiveForm(SignForm):
    """Sign the receipt after checking the logger data."""

    logger_confirmed = BooleanField(_l("I have checked the temperature logger data shown on "
                                       "this page."))
    missing_confirmed = BooleanField(_l("Record the kits not scanned as missing."))


# QA release or rejection of quarantined kits: the form storage excursions use too.
DecisionForm = QaDecisionForm


class ResolveForm(FlaskForm):
    """How a discrepancy was resolved."""

    resolution = TextAreaField(_l("Resolution"), validators=[
        DataRequired(message=_l("Say how it was resolved.")), Length(max=500), no_control_chars],
        render_kw={"rows": 2})


class CancelForm(FlaskForm):
    """Why a shipment is cancelled."""

    reason = reason_field(_l("Reason for cancelling"))
