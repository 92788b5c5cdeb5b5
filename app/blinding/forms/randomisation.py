"""Blinding forms: lists (generate, upload, verify), randomisation, code break, kit arms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.blinding.models import LIST_PURPOSES
from app.core.forms import no_control_chars, reason_field, text_field

REQUIRED = _l("This field is required.")


def password_field():
    return PasswordField(_l("Your password (electronic signature)"),
                         validators=[DataRequired(message=REQUIRED)],
                         render_kw={"autocomplete": "current-password"})


class DesignFields(FlaskForm):
    """What every list declares: trial, name, purpose, arms and ratio, strata."""

    trial_id = SelectField(_l("Trial"), coerce=int, validators=[InputRequired()])
    name = text_field(_l("Name of the list"), 80)
    purpose = SelectField(_l("Used for"), choices=list(LIST_PURPOSES.items()))
    arms = text_field(_l("Arms and ratio"), 400, description=_l(
        "name:ratio separated by commas, for example “A:2, B:1”."))
    strata = TextAreaField(_l("Stratification factors"), validators=[
        Optional(), Length(max=2000), no_control_chars], render_kw={"rows": 3},
        description=_l("One factor per line: name: level, level (for example “sex: M, F”). "
                       "Leave empty for an unstratified list."))


class GenerateListForm(DesignFields):
    """Generate a permuted-block list here."""

    block_sizes = text_field(_l("Block sizes"), 100, description=_l(
        "Chosen at random for each block, for example “4, 6”."))
    per_stratum = IntegerField(_l("Numbers per stratum"), validators=[
        InputRequired(message=REQUIRED), NumberRange(min=1, max=200_000)])
    seed = text_field(_l("Seed"), 200, required=False, description=_l(
        "Leave empty for a fresh random seed; the seed is kept and shown to unblinded users "
        "only."))


class UploadListForm(DesignFields):
    """Upload the statistician's list (CSV or Excel) with its column mapping."""

    file = FileField(_l("List (CSV or Excel)"), validators=[FileRequired(message=REQUIRED)])
    number_column = text_field(_l("Column of the randomisation number"), 60, required=False)
    block_column = text_field(_l("Column of the block"), 60, required=False)
    arm_column = text_field(_l("Column of the treatment"), 60, required=False)
    stratum_column = text_field(_l("Column of the stratum"), 60, required=False)


class VerifyListForm(FlaskForm):
    """Verify a list by e-signature."""

    password = password_field()


class RetireListForm(FlaskForm):
    """Take a list out of use."""

    reason = reason_field()


class RandomiseForm(FlaskForm):
    """Randomise an enrolled subject; one select per stratification factor is added."""

    eligible = BooleanField(_l("The subject meets every inclusion criterion and no exclusion "
                               "criterion."))


class StrataForm(FlaskForm):
    """QA corrects a randomised subject's strata; one select per factor is added."""

    reason = reason_field()
    password = password_field()


class CodeBreakForm(FlaskForm):
    """Break the blind for one subject."""

    reason = TextAreaField(_l("Why must the treatment be known?"), validators=[
        DataRequired(message=_l("State why the code must be broken.")), Length(max=1000),
        no_control_chars], render_kw={"rows": 3})
    adverse_event = BooleanField(_l("For an adverse event"))
    confirm = BooleanField(_l("I confirm this is the subject shown above"), validators=[
        DataRequired(message=_l("Confirm the subject."))])
    password = password_field()


class ArmKitListForm(FlaskForm):
    """Upload kits with their arms."""

    trial_id = SelectField(_l("Trial"), coerce=int)
    location_id = SelectField(_l("Receive at"), coerce=int)
    file = FileField(_l("Kit list with arms (CSV or Excel)"),
                     validators=[FileRequired(message=REQUIRED)],
                     description=_l("Columns: kit number, blinded lot, treatment arm."))
