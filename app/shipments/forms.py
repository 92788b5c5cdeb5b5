"""Shipment forms: order, scan, pack, dispatch, logger upload, receipt, QA decision."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.coldchain.logger import (
    DATE_ORDERS,
    DEFAULT_TIMEZONE,
    DELIMITERS,
    TIME_FORMATS,
    TIMEZONES,
)
from app.coldchain.logger_presets import PRESETS
from app.core.forms import no_control_chars, reason_field, scan_field, text_field
from app.esign.forms import SignForm
from app.shipments.models import SHIPMENT_KINDS, TRACKING_MAX


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
                            description=_l("Required for refrigerated products."))


class DispatchForm(FlaskForm):
    """Courier hand-over."""

    courier = text_field(_l("Courier"), 100)
    tracking_number = text_field(_l("Tracking number"), TRACKING_MAX, required=False)
    expected_arrival = DateField(_l("Expected arrival"), validators=[
        InputRequired(message=_l("Give the expected arrival date."))])
    logger_ids = text_field(_l("Temperature logger ids"), 200, required=False)


AUTO = [("", _l("Detect"))]


class LoggerForm(FlaskForm):
    """A logger's export file, read first into a preview; how to read it when asked."""

    file = FileField(_l("Logger file (CSV, TXT or Excel .xlsx)"))
    logger_serial = text_field(_l("Logger id"), 60, required=False)
    preset = SelectField(_l("Logger model"), choices=AUTO + [
        (key, preset.label) for key, preset in PRESETS.items()], validators=[Optional()])
    delimiter = SelectField(_l("Column separator"), choices=AUTO + [
        ("comma", DELIMITERS[","]), ("semicolon", DELIMITERS[";"]), ("tab", DELIMITERS["\t"])],
        validators=[Optional()])
    timestamp_column = text_field(_l("Timestamp column"), 60, required=False)
    temperature_column = text_field(_l("Temperature column"), 60, required=False)
    decimal = SelectField(_l("Decimal mark"), choices=AUTO + [
        ("point", _l("Point (4.5)")), ("comma", _l("Comma (4,5)"))], validators=[Optional()])
    unit = SelectField(_l("Unit"), choices=AUTO + [("C", _l("Celsius (°C)")),
                                                   ("F", _l("Fahrenheit (°F)"))],
                       validators=[Optional()])
    time_format = SelectField(_l("Date order"), choices=AUTO + [
        (key, TIME_FORMATS[key]) for key in DATE_ORDERS],
                              validators=[Optional()])
    timezone = SelectField(_l("Times without a zone are in"), choices=list(TIMEZONES.items()),
                           default=DEFAULT_TIMEZONE)
    staged = HiddenField()
    staged_name = HiddenField()
    previewed = HiddenField()
    accept_reason = text_field(_l("QA: accept readings outside the journey, because"), 500,
                               required=False)


class ReceiveForm(SignForm):
    """Sign the receipt after checking the logger data."""

    logger_confirmed = BooleanField(_l("I have checked the temperature logger data shown on "
                                       "this page."))
    missing_confirmed = BooleanField(_l("Record the kits not scanned as missing."))


class DecisionForm(SignForm):
    """QA release or rejection of quarantined kits."""

    kits = SelectMultipleField(_l("Kits"), coerce=int, validators=[
        DataRequired(message=_l("Choose at least one kit."))])
    reason = reason_field(_l("Reason for the decision"))
    departure_reason = text_field(_l("Why you depart from the proposal"), 500, required=False)


class ResolveForm(FlaskForm):
    """How a discrepancy was resolved."""

    resolution = TextAreaField(_l("Resolution"), validators=[
        DataRequired(message=_l("Say how it was resolved.")), Length(max=500), no_control_chars],
        render_kw={"rows": 2})


class CancelForm(FlaskForm):
    """Why a shipment is cancelled."""

    reason = reason_field(_l("Reason for cancelling"))
