"""Trial, visit, site and subject forms."""

import re
from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum.es import dni, nie
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.core import clock
from app.core.forms import no_control_chars, reason_field, text_field
from app.trials.models import SUBJECT_STATUSES, TRIAL_KINDS, TRIAL_PHASES

# EU/EEA countries a trial may run in, plus the UK and Switzerland for supply.
COUNTRY_CODES = (
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR",
    "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE",
    "SI", "SK",
)
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
CODE_MESSAGE = _l("Use letters, digits and . _ / - only.")


def country_choices():
    """Return (code, name) pairs in the current language, sorted by name."""
    names = get_locale().territories
    return sorted(((c, names.get(c, c)) for c in COUNTRY_CODES), key=lambda p: p[1])


class TrialForm(FlaskForm):
    """A trial's identity, sponsor and the main contact printed on labels."""

    protocol_code = text_field(_l("Protocol code"), 40)
    eu_ct_number = text_field(
        _l("EU CT number"), 20, required=False,
        description=_l("Format 2024-512345-12-00, as given by CTIS."))
    title = text_field(_l("Title"), 500)
    sponsor = text_field(_l("Sponsor"), 200)
    phase = SelectField(_l("Phase"), choices=[(p, p) for p in TRIAL_PHASES])
    kind = RadioField(_l("Type of trial"), choices=list(TRIAL_KINDS.items()), default="drug")
    blinded = BooleanField(_l("Blinded (masked) trial"))
    countries = SelectMultipleField(
        _l("Countries"), validators=[DataRequired(message=_l("Choose at least one country."))])
    contact_name = text_field(_l("Main contact: name"), 200,
                              description=_l("Printed on labels; also for emergency unblinding."))
    contact_address = text_field(_l("Main contact: address"), 500)
    contact_phone = text_field(_l("Main contact: telephone"), 40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.countries.choices = country_choices()
        self.protocol_code.validators.append(Regexp(CODE_PATTERN, message=CODE_MESSAGE))

    def validate_eu_ct_number(self, field):
        if field.data and not re.fullmatch(r"\d{4}-5\d{5}-\d{2}-\d{2}", field.data):
            raise ValidationError(_l("An EU CT number looks like 2024-512345-12-00."))

    def validate_contact_phone(self, field):
        if field.data and not re.fullmatch(r"\+?[0-9 ()-]{6,40}", field.data):
            raise ValidationError(_l("Enter a telephone number with digits, spaces and +."))


class EditTrialForm(TrialForm):
    """A trial being changed: a reason is required."""

    reason = reason_field()


class VisitForm(FlaskForm):
    """One visit of the schedule."""

    number = IntegerField(_l("Visit number"), validators=[
        InputRequired(message=_l("This field is required.")), NumberRange(min=0, max=999)])
    name = text_field(_l("Visit name"), 100)
    day_offset = IntegerField(_l("Day (from enrolment)"), validators=[
        InputRequired(message=_l("This field is required.")), NumberRange(min=-365, max=3650)])
    window_before = IntegerField(_l("Window before (days)"), default=0, validators=[
        InputRequired(message=_l("This field is required.")), NumberRange(min=0, max=365)])
    window_after = IntegerField(_l("Window after (days)"), default=0, validators=[
        InputRequired(message=_l("This field is required.")), NumberRange(min=0, max=365)])
    reason = reason_field()


class SiteForm(FlaskForm):
    """A hospital taking part in a trial."""

    trial_id = SelectField(_l("Trial"), coerce=int, choices=[])
    site_number = text_field(_l("Site number"), 20)
    hospital = text_field(_l("Hospital"), 200)
    address = text_field(_l("Address"), 500)
    country = SelectField(_l("Country"), default="ES")
    principal_investigator = text_field(_l("Principal investigator"), 200)
    phone = text_field(_l("Telephone"), 40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.site_number.validators.append(Regexp(CODE_PATTERN, message=CODE_MESSAGE))


class EditSiteForm(SiteForm):
    """A site being changed: a reason is required."""

    reason = reason_field()


class SubjectForm(FlaskForm):
    """A new subject's pseudonymised code, site, first status and enrolment date."""

    site_id = SelectField(_l("Trial and site"), coerce=int, choices=[])
    code = text_field(_l("Subject code"), 40,
                      description=_l("The pseudonymised code; never a name or initials."))
    status = SelectField(_l("Status"), default="screening", choices=[
        (state, SUBJECT_STATUSES[state]) for state in ("screening", "enrolled")])
    enrolment_date = DateField(_l("Enrolment date"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.code.validators.append(Regexp(CODE_PATTERN, message=CODE_MESSAGE))

    def validate_enrolment_date(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The enrolment date cannot be in the future."))


class EditSubjectForm(SubjectForm):
    """A subject being changed (its status moves by a transition): a reason is required."""

    status = None
    reason = reason_field()


class StatusForm(FlaskForm):
    """One move of a state machine: the event (from the button pressed) and its reason."""

    event = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the change"),
                           validators=[Length(max=500), no_control_chars], render_kw={"rows": 2})


class IdentityForm(FlaskForm):
    """Who the subject is; kept apart from the pseudonymised record."""

    full_name = text_field(_l("Full name"), 200)
    email = EmailField(_l("E-mail"), validators=[
        Optional(), Email(message=_l("Enter a valid e-mail address."),
                          check_deliverability=False), Length(max=254)])
    phone = text_field(_l("Telephone"), 40, required=False)
    address = text_field(_l("Address"), 500, required=False)
    postal_code = text_field(_l("Postal code"), 10, required=False)
    city = text_field(_l("City"), 100, required=False)
    national_id = text_field(_l("DNI / NIE"), 20, required=False)
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])
    reason = reason_field()

    def validate_national_id(self, field):
        value = (field.data or "").upper().replace(" ", "").replace("-", "")
        if value and not (dni.is_valid(value) or nie.is_valid(value)):
            raise ValidationError(_l("This is not a valid DNI or NIE (check the letter)."))
        field.data = value or None

    def validate_date_of_birth(self, field):
        if field.data and not date(1900, 1, 1) <= field.data <= clock.today():
            raise ValidationError(_l("Enter a real date of birth."))
