"""Forms of the device, calibration and accountability screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.forms import no_control_chars, reason_field, text_field
from app.devices.models import (
    DECISION_RULES,
    DEVICE_CLASSES,
    DEVICE_KINDS,
    EVENT_KINDS,
    IMPACT_DECISIONS,
    LAB_KINDS,
)
from app.esign.forms import SignForm

REQUIRED = _l("This field is required.")
POINT_ROWS = 5


def _date(label, required=True):
    return DateField(label, validators=[DataRequired(message=REQUIRED)] if required
                     else [Optional()])


def _decimal(label, required=True, **kwargs):
    return DecimalField(label, validators=[InputRequired(message=REQUIRED)] if required
                        else [Optional()], **kwargs)


class DeviceModelForm(FlaskForm):
    """A make and model of device."""

    manufacturer = text_field(_l("Manufacturer"), 200)
    model = text_field(_l("Model"), 200)
    device_class = SelectField(_l("Device class"), choices=list(DEVICE_CLASSES.items()))
    kind = SelectField(_l("Kind"), choices=list(DEVICE_KINDS.items()))
    udi_di = text_field(_l("UDI-DI"), 60, required=False)
    investigational = BooleanField(_l("Investigational device"))
    needs_calibration = BooleanField(_l("Needs calibration"), default=True)


class DeviceForm(FlaskForm):
    """One device of a model."""

    model_id = SelectField(_l("Model"), coerce=int)
    serial = text_field(_l("Serial number or UDI-PI"), 60)
    lot = text_field(_l("Lot"), 40, required=False)
    expires_on = _date(_l("Expiry date"), required=False)
    owner = text_field(_l("Owner"), 200)
    trial_id = SelectField(_l("Trial"), coerce=int, validators=[Optional()])


class PlanForm(FlaskForm):
    """A calibration plan of a device with one tolerance per line."""

    name = text_field(_l("Name"), 120)
    interval_days = IntegerField(_l("Interval (days)"), validators=[InputRequired(
        message=REQUIRED)])
    warn_days = IntegerField(_l("Warn this many days before"), default=14,
                             validators=[InputRequired(message=REQUIRED)])
    procedure = text_field(_l("Procedure"), 200)
    lab_kind = SelectField(_l("Done by"), choices=list(LAB_KINDS.items()))
    lab_name = text_field(_l("Laboratory"), 200, required=False)
    first_due = _date(_l("First due date"), required=False)
    tolerances = TextAreaField(
        _l("Tolerances"), validators=[DataRequired(message=REQUIRED), Length(max=2000),
                                      no_control_chars],
        description=_l("One per line: quantity; unit; tolerance (for example: "
                       "Temperature; °C; 0.5)."), render_kw={"rows": 3})


class PointForm(Form):
    """One row of the calibration points table."""

    quantity = text_field(_l("Quantity"), 60, required=False)
    nominal = _decimal(_l("Nominal"), required=False)
    as_found = _decimal(_l("As found"), required=False)
    as_left = _decimal(_l("As left"), required=False)
    uncertainty = _decimal(_l("U (expanded)"), required=False)
    k = _decimal(_l("k"), required=False)


class RecordForm(FlaskForm):
    """Every element of an ISO/IEC 17025 7.8 calibration record."""

    certificate_number = text_field(_l("Certificate number"), 60)
    customer = text_field(_l("Customer"), 200)
    lab_name = text_field(_l("Laboratory"), 200)
    lab_address = text_field(_l("Laboratory address"), 500)
    accreditation_body = text_field(_l("Accreditation body"), 100, required=False)
    accreditation_number = text_field(_l("Accreditation number"), 60, required=False)
    performed_at_place = text_field(_l("Where the calibration was done"), 200)
    method = text_field(_l("Method"), 200)
    deviations = TextAreaField(_l("Deviations from the method"), render_kw={"rows": 2},
                               validators=[Length(max=2000), no_control_chars])
    condition_on_receipt = text_field(_l("Condition of the item on receipt"), 500)
    received_on = _date(_l("Received on"))
    calibrated_on = _date(_l("Calibrated on"))
    issued_on = _date(_l("Issued on"))
    temperature_c = _decimal(_l("Ambient temperature (°C)"), places=2)
    humidity_pct = _decimal(_l("Relative humidity (%)"), places=1)
    environment_note = text_field(_l("Other conditions"), 200, required=False)
    decision_rule = SelectField(_l("Decision rule"), choices=list(DECISION_RULES.items()))
    standards = text_field(_l("Reference standards used (serials, comma separated)"), 500)
    opinion = TextAreaField(_l("Opinions and interpretations"), render_kw={"rows": 2},
                            validators=[Length(max=2000), no_control_chars])
    points = FieldList(FormField(PointForm), min_entries=POINT_ROWS, max_entries=20)
    certificate_file = FileField(_l("External certificate (PDF)"))


class RecordSignForm(SignForm):
    """Sign a calibration record (performed or authorised)."""


class EventForm(FlaskForm):
    """A use, implantation, explant or return of a device at its site."""

    serial = text_field(_l("Device serial"), 60)
    kind = SelectField(_l("What happened"), choices=[
        (k, v) for k, v in EVENT_KINDS.items() if k != "receipt"])
    subject_id = SelectField(_l("Subject"), coerce=int, validators=[Optional()])
    visit_id = SelectField(_l("Visit"), coerce=int, validators=[Optional()])
    on_date = _date(_l("Date"))
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2},
                           validators=[Length(max=500), no_control_chars])


class MoveForm(FlaskForm):
    """Move a device through its states."""

    event = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2},
                           validators=[Length(max=500), no_control_chars])


class ScanForm(FlaskForm):
    """Scan a device serial on a shipment."""

    serial = text_field(_l("Device serial"), 60)
    outcome = SelectField(_l("Condition"), choices=[("received", _l("Received in good "
                                                                    "condition")),
                                                   ("damaged", _l("Damaged"))],
                          validators=[Optional()])


class ImpactCloseForm(SignForm):
    """QA's decision and conclusion, signed."""

    decision = SelectField(_l("Decision"), choices=list(IMPACT_DECISIONS.items()))
    conclusion = TextAreaField(_l("Conclusion"), render_kw={"rows": 3},
                               validators=[DataRequired(message=REQUIRED), Length(max=2000),
                                           no_control_chars])


class RetireForm(FlaskForm):
    """A reason for a move that needs one."""

    reason = reason_field()
