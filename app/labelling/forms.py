"""Forms of the labelling screens: imports, release, templates, runs, relabelling."""

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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import no_control_chars, reason_field, text_field
from app.esign.forms import SignForm
from app.labelling.models import DOCUMENT_KINDS, LAYOUTS, LETTERS, PACKAGINGS, RUN_SCOPES

REQUIRED = _l("This field is required.")
NOT_A_DATE = _l("Enter a date (day/month/year).")


def _date(label, required=True):
    validators = [DataRequired(message=NOT_A_DATE)] if required else [Optional()]
    return DateField(label, validators=validators)


class ImportForm(FlaskForm):
    """An import: origin, supplier, manufacturer, arrival, customs and its lots."""

    reference = text_field(_l("Import reference"), 40)
    trial_id = SelectField(_l("Trial"), coerce=int)
    origin_country = SelectField(_l("Country of origin"))
    supplier = text_field(_l("Supplier"), 200)
    manufacturer = text_field(_l("Manufacturer"), 200)
    received_on = _date(_l("Arrived on"))
    arrival_temperature_c = DecimalField(_l("Temperature on arrival (°C)"), places=1,
                                         validators=[Optional()])
    customs_document = text_field(_l("Customs document (DUA) number"), 40, required=False)
    customs_cleared_on = _date(_l("Cleared by customs on"), required=False)
    lot_ids = SelectMultipleField(_l("Lots received (in quarantine)"), coerce=int)


class ClearanceForm(FlaskForm):
    """Customs clearance of an import."""

    customs_document = text_field(_l("Customs document (DUA) number"), 40)
    customs_cleared_on = _date(_l("Cleared by customs on"))


class DocumentForm(FlaskForm):
    """A document attached to an import."""

    kind = SelectField(_l("Document"), choices=list(DOCUMENT_KINDS.items()))
    document = FileField(_l("File (PDF, PNG or JPEG)"),
                         validators=[FileRequired(message=_l("Choose a file."))])


class CertifyForm(SignForm):
    """The QP certifies a lot: password again, meaning "Certified"."""


class ReleaseForm(FlaskForm):
    """The sponsor's release of a certified lot for a country."""

    country = SelectField(_l("Country"))
    authorised_by = text_field(_l("Authorised by (sponsor)"), 200)
    reference = text_field(_l("Release reference"), 80)
    released_on = _date(_l("Released on"))
    document = FileField(_l("Release document (optional)"))


class TemplateForm(FlaskForm):
    """A label template: packaging, language, size and the particulars (a)-(l)."""

    name = text_field(_l("Template name"), 100)
    product_id = SelectField(_l("Kit type (product)"), coerce=int, validators=[Optional()])
    packaging = SelectField(_l("Packaging"), choices=list(PACKAGINGS.items()))
    language = SelectField(_l("Language"), choices=[("es", _l("Spanish")),
                                                     ("pt", _l("Portuguese"))])
    width_mm = DecimalField(_l("Width (mm)"), places=1, validators=[
        InputRequired(message=REQUIRED), NumberRange(min=20, max=200)])
    height_mm = DecimalField(_l("Height (mm)"), places=1, validators=[
        InputRequired(message=REQUIRED), NumberRange(min=15, max=280)])
    font_size = DecimalField(_l("Font size (pt)"), places=1, validators=[
        InputRequired(message=REQUIRED),
        NumberRange(min=7.5, max=14, message=_l("Between 7.5 pt (1.4 mm x-height) and 14 pt."))])


for _letter in LETTERS:
    setattr(TemplateForm, f"particular_{_letter}", TextAreaField(
        f"({_letter})", validators=[Length(max=500), no_control_chars], render_kw={"rows": 2}))


class ApproveForm(SignForm):
    """QA approves a template: password again, meaning "Approved"."""


class RunForm(FlaskForm):
    """Which kits to label, with which template, in which layout."""

    template_id = SelectField(_l("Label template (approved)"), coerce=int)
    scope = SelectField(_l("Kits"), choices=list(RUN_SCOPES.items()))
    lot_id = SelectField(_l("Lot"), coerce=int, validators=[Optional()])
    first_kit = text_field(_l("First kit number"), 40, required=False)
    last_kit = text_field(_l("Last kit number"), 40, required=False)
    campaign_id = SelectField(_l("Relabel campaign"), coerce=int, validators=[Optional()])
    shipment_id = SelectField(_l("Shipment (kits picked)"), coerce=int, validators=[Optional()])
    layout = SelectField(_l("Layout"), choices=list(LAYOUTS.items()))


def _count(label):
    return IntegerField(label, validators=[InputRequired(message=REQUIRED),
                                           NumberRange(min=0, message=_l("Enter 0 or more."))])


class ReconcileForm(FlaskForm):
    """Label reconciliation: what became of every printed label."""

    applied = _count(_l("Applied"))
    spoiled = _count(_l("Spoiled"))
    destroyed = _count(_l("Destroyed"))
    reason = TextAreaField(_l("Reason for a difference"),
                           validators=[Length(max=500), no_control_chars],
                           render_kw={"rows": 2})


class CampaignForm(FlaskForm):
    """QA's new expiry for a lot: the relabel campaign."""

    new_expiry = _date(_l("New expiry date"))
    justification = TextAreaField(_l("Justification"), validators=[
        DataRequired(message=REQUIRED), Length(max=500), no_control_chars],
        render_kw={"rows": 2})
    stability_reference = text_field(_l("Stability data reference"), 80)


class RelabelForm(FlaskForm):
    """Record a kit as relabelled (scan or type its number)."""

    kit_number = text_field(_l("Kit number"), 40,
                            render_kw={"autocomplete": "off", "autofocus": True})


class RetireForm(FlaskForm):
    """Retire an approved template, with a reason."""

    reason = reason_field()
