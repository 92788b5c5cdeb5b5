"""Batch record forms: the header, materials, steps, checks, yield, deviations, QA release."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, PasswordField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.blinding.models import BATCH_CHECK_KINDS, BATCH_KINDS
from app.core.forms import no_control_chars, reason_field, text_field

REQUIRED = _l("This field is required.")
NUMBER = _l("Give a number, for example 12.5.")


def _quantity(label, required=True, **kwargs):
    validators = [InputRequired(message=REQUIRED) if required else Optional(),
                  NumberRange(min=0, message=_l("The quantity cannot be negative."))]
    return DecimalField(label, places=None, validators=validators, **kwargs)


def _long_text(label, required=True, rows=3, **kwargs):
    first = DataRequired(message=REQUIRED) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=4000), no_control_chars],
                         render_kw={"rows": rows}, **kwargs)


def _password():
    return PasswordField(_l("Your password (electronic signature)"),
                         validators=[DataRequired(message=REQUIRED)],
                         render_kw={"autocomplete": "current-password"})


def _deviation_text():
    return _long_text(_l("Deviation (when outside the limits)"), required=False, rows=2,
                      description=_l("Needed when a result, the reconciliation or the yield "
                                     "is outside its limits."))


class BatchRecordForm(FlaskForm):
    """Open a batch record for a sponsor's order."""

    number = text_field(_l("Batch record number"), 40)
    trial_id = SelectField(_l("Trial"), coerce=int, validators=[InputRequired()])
    sponsor_order = text_field(_l("Sponsor's order"), 80)
    kind = SelectField(_l("What is made"), choices=list(BATCH_KINDS.items()))
    description = _long_text(_l("Description"))
    matched_lot_id = SelectField(_l("Lot it matches (active or comparator)"), coerce=int,
                                 validators=[Optional()])
    output_lot_id = SelectField(_l("Lot produced"), coerce=int, validators=[InputRequired()],
                                description=_l("Registered in stock, in quarantine."))
    quantity_unit = text_field(_l("Unit"), 20, description=_l("for example capsules, kits"))
    expected_quantity = _quantity(_l("Expected quantity"))
    yield_min_pct = _quantity(_l("Lowest yield (%)"))
    yield_max_pct = _quantity(_l("Highest yield (%)"))


class MaterialForm(FlaskForm):
    """Issue a material."""

    material = text_field(_l("Material"), 200)
    supplier_lot = text_field(_l("Supplier lot"), 80)
    issued = _quantity(_l("Issued"))
    unit = text_field(_l("Unit"), 20)


class ReconcileForm(FlaskForm):
    """Reconcile a material: issued = used + returned + wasted."""

    used = _quantity(_l("Used"))
    returned = _quantity(_l("Returned"))
    wasted = _quantity(_l("Wasted"))
    deviation = _deviation_text()


class StepForm(FlaskForm):
    """Add a step."""

    instruction = _long_text(_l("Instruction"), rows=2)


class StepDoneForm(FlaskForm):
    """The operator signs the step."""

    note = _long_text(_l("Operator's note"), required=False, rows=1)
    password = _password()


class StepCheckForm(FlaskForm):
    """A second person checks the step."""

    password = _password()


class BatchCheckForm(FlaskForm):
    """Define an in-process check."""

    kind = SelectField(_l("Kind of check"), choices=list(BATCH_CHECK_KINDS.items()))
    name = text_field(_l("Check"), 200)
    unit = text_field(_l("Unit"), 20, required=False)
    lower = _quantity(_l("Lower limit"), required=False)
    upper = _quantity(_l("Upper limit"), required=False)


class CheckResultForm(FlaskForm):
    """Record a check's result."""

    result = _quantity(_l("Result"), required=False)
    appearance_match = SelectField(_l("Appearance matches the active product"), choices=[
        ("", "—"), ("yes", _l("Yes")), ("no", _l("No"))], validators=[Optional()])
    comment = _long_text(_l("Comment"), required=False, rows=1)
    deviation = _deviation_text()


class YieldForm(FlaskForm):
    """Record the quantity produced."""

    actual_quantity = _quantity(_l("Quantity produced"))
    deviation = _deviation_text()


class DeviationForm(FlaskForm):
    """Raise a deviation."""

    description = _long_text(_l("Description"))
    impact = _long_text(_l("Impact"), required=False, rows=2)


class CloseDeviationForm(FlaskForm):
    """QA closes a deviation."""

    impact = _long_text(_l("Impact"), rows=2)
    capa = _long_text(_l("CAPA (corrective and preventive action)"), rows=2)


class ReleaseBatchForm(FlaskForm):
    """QA releases by e-signature."""

    password = _password()


class RejectBatchForm(FlaskForm):
    """QA rejects by e-signature, with a reason."""

    reason = reason_field()
    password = _password()


class ReopenBatchForm(FlaskForm):
    """QA sends the record back to production."""

    reason = reason_field()
