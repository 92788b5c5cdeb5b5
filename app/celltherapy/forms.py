"""Forms: schedule, collect, handoffs with scans and signature, release, shippers, logger."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.celltherapy.models import CONDITIONS, LEGS, PRODUCT_KINDS, SHIPPER_ID_KINDS

SCAN = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class SignedForm(FlaskForm):
    """A step that needs the signer's password again."""

    password = PasswordField(_l("Your password (electronic signature)"),
                             validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(
        _l("I understand that this electronic signature is the legally binding equivalent "
           "of my handwritten signature."),
        validators=[DataRequired(message=_l("Confirm the statement to sign."))])


class ScheduleForm(FlaskForm):
    """Schedule a collection against a manufacturing slot."""

    subject_id = SelectField(_l("Subject"), coerce=int, validators=[InputRequired()])
    product_kind = SelectField(_l("Product"), choices=list(PRODUCT_KINDS.items()))
    collection_date = DateField(_l("Collection date"), validators=[InputRequired()])
    manufacturing_slot = DateField(_l("Manufacturing slot"), validators=[InputRequired()])


class CollectForm(FlaskForm):
    """What was collected, as entered from the collection record."""

    bag_ids = StringField(_l("Bag identifiers"), validators=[DataRequired(), Length(max=200)])
    volume_ml = DecimalField(_l("Volume (mL)"), places=1,
                             validators=[InputRequired(), NumberRange(min=0.1, max=5000)])
    cell_count = StringField(_l("Cell count"), validators=[Optional(), Length(max=60)])


class HandoffForm(SignedForm):
    """A handoff: both scans, who handed over and received, where, the condition."""

    bag_scan = StringField(_l("Identifier scanned on the bag"), validators=[DataRequired()],
                           render_kw=SCAN)
    document_scan = StringField(_l("Identifier scanned on the document"),
                                validators=[DataRequired()], render_kw=SCAN)
    handed_over_by = StringField(_l("Handed over by"),
                                 validators=[DataRequired(), Length(max=120)])
    received_by = StringField(_l("Received by"), validators=[DataRequired(), Length(max=120)])
    location = StringField(_l("Where"), validators=[DataRequired(), Length(max=160)])
    condition = SelectField(_l("Condition"), choices=list(CONDITIONS.items()))
    temperature_c = DecimalField(_l("Temperature read (°C)"), places=1,
                                 validators=[Optional(), NumberRange(min=-200, max=60)])
    courier = StringField(_l("Courier"), validators=[Optional(), Length(max=80)])
    logger_ids = StringField(_l("Temperature loggers"), validators=[Optional(), Length(max=120)])
    shipper_code = StringField(_l("Dry shipper (GRAI or serial)"),
                               validators=[Optional(), Length(max=40)], render_kw=SCAN)
    transit_hours = IntegerField(_l("Planned transit (hours)"),
                                 validators=[Optional(), NumberRange(min=1, max=400)])

    def values(self):
        """Return the handoff's fields as the service takes them."""
        return {name: getattr(self, name).data for name in (
            "bag_scan", "document_scan", "handed_over_by", "received_by", "location",
            "condition", "temperature_c")}


class ReleaseForm(SignedForm):
    """Release by the manufacturer's QP with the certificate of analysis."""

    coa = FileField(_l("Certificate of analysis (PDF)"))


class ReasonForm(FlaskForm):
    """A step that needs a reason (out of specification, failure)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class RecollectForm(ReasonForm):
    """Schedule a re-collection after a failed manufacture."""

    collection_date = DateField(_l("Collection date"), validators=[InputRequired()])


class ExceptionForm(SignedForm):
    """Release an out-of-specification product with the physician's consent."""

    physician_consent = StringField(_l("Consent of the treating physician (name, date)"),
                                    validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class LoggerForm(FlaskForm):
    """Attach a leg's logger file."""

    leg = SelectField(_l("Leg"), choices=list(LEGS.items()))
    serial = StringField(_l("Logger serial number"), validators=[DataRequired(),
                                                                 Length(max=60)])
    file = FileField(_l("Logger file (CSV)"))


class DecisionForm(SignedForm):
    """QA decision on an excursion."""

    decision = SelectField(_l("Decision"), choices=[("accept", _l("Accept: the product may "
                                                                  "be used")),
                                                    ("reject", _l("Reject the product"))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class ShipperForm(FlaskForm):
    """Register a dry shipper."""

    code = StringField(_l("GRAI or serial number"), validators=[DataRequired(),
                                                                Length(max=40)])
    id_kind = SelectField(_l("Kind of number"), choices=list(SHIPPER_ID_KINDS.items()))
    model_name = StringField(_l("Model"), validators=[DataRequired(), Length(max=80)])
    static_hold_hours = IntegerField(_l("Qualified static hold time (hours)"),
                                     validators=[InputRequired(), NumberRange(min=1, max=2000)])
    qualified_until = DateField(_l("Qualified until"), validators=[InputRequired()])


class ChargeForm(FlaskForm):
    """Record the charging before a use."""

    record = StringField(_l("Charging record"), validators=[DataRequired(), Length(max=200)])


class RequalifyForm(FlaskForm):
    """Record a requalification."""

    qualified_until = DateField(_l("Qualified until"), validators=[InputRequired()])
