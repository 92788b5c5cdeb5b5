"""Forms of returns, reconciliations, sponsor authorisations and destruction batches."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.forms import no_control_chars, text_field
from app.destruction.models import DESTRUCTION_METHODS, RETURN_CONDITIONS


class ReturnScanForm(FlaskForm):
    """One kit going back, scanned at the site, with its condition."""

    kit_number = text_field(_l("Kit number"), 40, render_kw={"autocomplete": "off",
                                                              "autofocus": True})
    condition = SelectField(_l("Condition"), choices=list(RETURN_CONDITIONS.items()))
    units_remaining = IntegerField(_l("Units remaining"), validators=[
        Optional(), NumberRange(min=0, max=10000)])


class ReconciliationForm(FlaskForm):
    """Draw up a site's reconciliation over a period."""

    site_id = SelectField(_l("Site"), coerce=int, validators=[InputRequired()])
    period_start = DateField(_l("First day"), validators=[
        InputRequired(message=_l("Give the first day of the period."))])
    period_end = DateField(_l("Last day"), validators=[
        InputRequired(message=_l("Give the last day of the period."))])


class ExplainForm(FlaskForm):
    """Explain one difference."""

    explanation = TextAreaField(_l("Explanation"), validators=[
        InputRequired(message=_l("Explain the difference.")), Length(max=500),
        no_control_chars], render_kw={"rows": 2})


class AuthorisationForm(FlaskForm):
    """The sponsor's written authorisation to destroy."""

    trial_id = SelectField(_l("Trial"), coerce=int, validators=[InputRequired()])
    reference = text_field(_l("Sponsor's reference"), 80)
    signed_by = text_field(_l("Signed at the sponsor by"), 200)
    signed_on = DateField(_l("Signed on"), validators=[
        InputRequired(message=_l("Give the date the sponsor signed."))])
    sponsor_email = text_field(_l("Sponsor e-mail (for the certificate)"), 254,
                               required=False)
    valid_from = DateField(_l("Valid from"), validators=[
        InputRequired(message=_l("Give the first day the authorisation is valid."))])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    site_ids = SelectMultipleField(_l("Only these sites"), coerce=int, validators=[Optional()])
    lot_ids = SelectMultipleField(_l("Only these lots"), coerce=int, validators=[Optional()])
    kit_from = text_field(_l("First kit of the range"), 40, required=False)
    kit_to = text_field(_l("Last kit of the range"), 40, required=False)
    reconciliation_id = SelectField(_l("Only the kits of this reconciliation"), coerce=int,
                                    validators=[Optional()])
    document = FileField(_l("Signed authorisation (PDF or image)"), validators=[
        FileRequired(message=_l("Attach the signed authorisation."))])


class BatchForm(FlaskForm):
    """A destruction batch under an authorisation."""

    authorisation_id = SelectField(_l("Sponsor authorisation"), coerce=int,
                                   validators=[InputRequired()])
    site_id = SelectField(_l("Destroyed at the hospital (on-site)"), coerce=int,
                          validators=[Optional()])
    method = SelectField(_l("Method"), choices=list(DESTRUCTION_METHODS.items()))
    contractor = text_field(_l("Contractor"), 200)
    contractor_licence = text_field(_l("Waste-management licence"), 80)
    place = text_field(_l("Place"), 300)
    destroyed_on = DateField(_l("Date of destruction"), validators=[
        InputRequired(message=_l("Give the date of destruction."))])
    weight_kg = DecimalField(_l("Weight (kg)"), places=3, validators=[
        Optional(), NumberRange(min=0.001, max=100000)])


class KitsForm(FlaskForm):
    """Kit numbers to add to a batch, one per line (empty: every covered kit)."""

    kit_numbers = TextAreaField(_l("Kit numbers (one per line; empty adds every covered kit)"),
                                validators=[Length(max=200000), no_control_chars],
                                render_kw={"rows": 3})


class DevicesForm(FlaskForm):
    """Device serials to add to a batch, one per line (empty: every covered device)."""

    serials = TextAreaField(_l("Device serials (one per line; empty adds every covered device)"),
                            validators=[Length(max=20000), no_control_chars],
                            render_kw={"rows": 2})


class UploadForm(FlaskForm):
    """The hospital's own certificate of an on-site destruction."""

    document = FileField(_l("Hospital's certificate (PDF or image)"), validators=[
        FileRequired(message=_l("Choose the file."))])
