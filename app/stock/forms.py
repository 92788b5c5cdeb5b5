"""Forms of the stock screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.coldchain.forms import LoggerReadForm
from app.core.forms import no_control_chars, reason_field, scan_field, text_field
from app.esign.forms import SignForm
from app.stock.models import LOT_STATUSES, PRODUCT_KINDS, REPLACEMENT_REASONS, RETURN_CONDITIONS

REQUIRED = _l("This field is required.")


def _int(label, minimum=None, **kwargs):
    validators = [InputRequired(message=REQUIRED)]
    if minimum is not None:
        validators.append(NumberRange(min=minimum, message=_l("Enter %(min)s or more.",
                                                              min=minimum)))
    return IntegerField(label, validators=validators, **kwargs)


class ProductForm(FlaskForm):
    """A product as it is packed in kits."""

    name = text_field(_l("Name"), 200)
    kind = SelectField(_l("Kind"), choices=list(PRODUCT_KINDS.items()))
    strength = text_field(_l("Strength"), 80)
    form = text_field(_l("Pharmaceutical form"), 80)
    route = text_field(_l("Route"), 80)
    units_per_kit = _int(_l("Units per kit"), 1)
    storage_min_c = DecimalField(_l("Minimum storage temperature (°C)"), places=1,
                                 validators=[InputRequired(message=REQUIRED)])
    storage_max_c = DecimalField(_l("Maximum storage temperature (°C)"), places=1,
                                 validators=[InputRequired(message=REQUIRED)])
    gtin = text_field(_l("GTIN-14"), 14, required=False,
                      description=_l("14 digits; the last one is the check digit."))
    budget_hours = DecimalField(
        _l("Stability budget: hours allowed out of storage, cumulated"), places=1,
        validators=[Optional()], description=_l("From the stability data, e.g. 72."))
    budget_low_c = DecimalField(_l("Allowed excursion from (°C)"), places=1,
                                validators=[Optional()])
    budget_high_c = DecimalField(_l("Allowed excursion up to (°C)"), places=1,
                                 validators=[Optional()])
    absolute_min_c = DecimalField(_l("Never below (°C)"), places=1, validators=[Optional()])


class LotForm(FlaskForm):
    """A manufacturing lot."""

    number = text_field(_l("Lot number"), 40)
    product_id = SelectField(_l("Product"), coerce=int)
    trial_id = SelectField(_l("Trial"), coerce=int, validators=[Optional()])
    manufacturer = text_field(_l("Manufacturer"), 200, required=False)
    manufactured_on = DateField(_l("Manufactured on"), validators=[Optional()])
    expires_on = DateField(_l("Expiry date"), validators=[DataRequired(message=REQUIRED)])
    status = SelectField(_l("Status"), choices=[(key, LOT_STATUSES[key])
                                                for key in ("quarantine", "released")])


class BlindedLotForm(FlaskForm):
    """A blinded lot grouping an active and a placebo lot of one trial."""

    number = text_field(_l("Blinded lot number"), 40)
    trial_id = SelectField(_l("Trial"), coerce=int)
    members = SelectMultipleField(_l("Lots it groups (active and placebo)"), coerce=int)


class LotStatusForm(FlaskForm):
    """Change a lot's status: one of the events its state machine allows now, with a reason."""

    event = SelectField(_l("What happens to the lot"))
    reason = reason_field()


class SupplySettingsForm(FlaskForm):
    """A trial's DNS and DND windows."""

    dns_days = _int(_l("Do not ship (days before expiry)"), 0)
    dnd_days = _int(_l("Do not dispense (days before expiry)"), 0)
    reason = reason_field()


class GenerateKitsForm(FlaskForm):
    """Generate kits with random numbers for a lot at a depot."""

    trial_id = SelectField(_l("Trial"), coerce=int)
    lot_id = SelectField(_l("Lot"), coerce=int)
    location_id = SelectField(_l("Receive at"), coerce=int)
    count = IntegerField(_l("Number of kits"), validators=[InputRequired(message=REQUIRED)])
    document_ref = text_field(_l("Document reference"), 100, required=False)


class UploadKitsForm(FlaskForm):
    """Upload a kit list (CSV or Excel)."""

    trial_id = SelectField(_l("Trial"), coerce=int)
    location_id = SelectField(_l("Receive at"), coerce=int)
    file = FileField(_l("Kit list (CSV or Excel)"),
                     description=_l("Columns: kit number and blinded lot. Title rows, vendor "
                                    "column names and footer lines are understood."))
    document_ref = text_field(_l("Document reference"), 100, required=False)
    sheet = SelectField(_l("Sheet"), choices=[("", _l("First sheet with a header"))],
                        validate_choice=False, validators=[Optional()])
    payload = HiddenField()
    payload_name = HiddenField()


class KitActionForm(FlaskForm):
    """Quarantine, release, damage, lose, expire or mark a kit for destruction."""

    action = SelectField(_l("What happened"))
    document_ref = text_field(_l("Document reference"), 100, required=False)
    reason = reason_field(_l("Reason"))


class ReverseForm(FlaskForm):
    """Correct a ledger line by reversing it."""

    reason = reason_field(_l("Reason for the correction"))


class ResupplyLevelForm(FlaskForm):
    """A site's resupply minimum and maximum."""

    minimum = _int(_l("Minimum (trigger)"), 0)
    maximum = _int(_l("Maximum (ship up to)"), 1)


class KitTypeForm(FlaskForm):
    """A kind of kit of a trial and the products it groups."""

    code = text_field(_l("Code"), 20)
    name = text_field(_l("Name"), 200)
    product_ids = SelectMultipleField(_l("Products"), coerce=int)


class DispenseForm(FlaskForm):
    """Dispense the proposed kit: subject, visit and the scanned kit number."""

    subject_id = SelectField(_l("Subject"), coerce=int)
    visit_id = SelectField(_l("Visit"), coerce=int)
    kit_number = scan_field(_l("Scan or type the kit number"), required=False)
    replacement_reason = SelectField(_l("Replacement of a kit given at this visit"), choices=[
        ("", _l("No, the visit's kit"))] + list(REPLACEMENT_REASONS.items()), default="")
    explanation = text_field(_l("What happened to the kit that is replaced"), 500,
                             required=False)
    off_window_reason = text_field(
        _l("Reason for dispensing outside the visit window"), 500, required=False,
        description=_l("Only needed when today is outside the visit window."))


class ReturnForm(FlaskForm):
    """A kit returned by its subject."""

    kit_number = scan_field(_l("Kit number"))
    units_returned = _int(_l("Units returned"), 0)
    units_missing = _int(_l("Units missing"), 0)
    condition = SelectField(_l("Condition"), choices=list(RETURN_CONDITIONS.items()))
    explanation = text_field(_l("Explanation of missing units"), 500, required=False,
                             description=_l("Needed when units are missing."))



class QaDecisionForm(SignForm):
    """QA release or rejection of kits quarantined after an excursion (shipment or storage)."""

    kits = SelectMultipleField(_l("Kits"), coerce=int, validators=[
        DataRequired(message=_l("Choose at least one kit."))])
    reason = reason_field(_l("Reason for the decision"))
    departure_reason = text_field(_l("Why you depart from the proposal"), 500, required=False)


class StorageExcursionForm(FlaskForm):
    """A storage excursion entered by hand: period (local time), extremes, what happened."""

    started_at = DateTimeLocalField(_l("Started (local time)"), format="%Y-%m-%dT%H:%M",
                                    validators=[InputRequired(message=_l(
                                        "Give a date and time."))])
    ended_at = DateTimeLocalField(_l("Ended (local time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired(message=_l(
                                      "Give a date and time."))])
    min_c = DecimalField(_l("Coldest temperature seen (°C)"), places=1,
                         validators=[Optional(), NumberRange(min=-100, max=100)])
    max_c = DecimalField(_l("Warmest temperature seen (°C)"), places=1,
                         validators=[Optional(), NumberRange(min=-100, max=100)])
    comment = TextAreaField(_l("What happened"), validators=[
        DataRequired(message=_l("Say what happened.")), Length(max=2000), no_control_chars],
        render_kw={"rows": 3})


class StorageLoggerForm(LoggerReadForm):
    """The fridge logger's export, read into a preview; an optional comment."""

    comment = TextAreaField(_l("What happened (optional)"),
                            validators=[Length(max=2000), no_control_chars],
                            render_kw={"rows": 2})
