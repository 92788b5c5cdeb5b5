"""Create and edit accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectMultipleField
from wtforms.validators import DataRequired, Email, Length

from app.core.forms import no_control_chars, reason_field, text_field
from app.core.permissions import ROLE_LABELS, ROLES


class UserForm(FlaskForm):
    """Name, e-mail, language, roles and sites of an account."""

    email = EmailField(_l("E-mail"), validators=[
        DataRequired(message=_l("This field is required.")),
        Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        Length(max=254), no_control_chars])
    full_name = text_field(_l("Full name"), 200)
    language = RadioField(_l("Language"), choices=[("es", "Español"), ("en", "English")],
                          default="es")
    roles = SelectMultipleField(
        _l("Roles"), choices=[(r, ROLE_LABELS[r]) for r in ROLES],
        validators=[DataRequired(message=_l("Choose at least one role."))])
    sites = SelectMultipleField(_l("Sites (for site staff)"), coerce=int, choices=[],
                                validate_choice=True)
    sponsors = SelectMultipleField(
        _l("Only these sponsors' trials"), choices=[], validate_choice=True,
        description=_l("Leave empty to let the account see every sponsor's trials."))


class EditUserForm(UserForm):
    """An existing account: also active flag and a reason."""

    active = BooleanField(_l("Account active"))
    reason = reason_field()
