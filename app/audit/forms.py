"""Filters of the audit log."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional


class AuditFilterForm(FlaskForm):
    """Who, what and when to show in the audit log (GET, no CSRF)."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), choices=[], validate_choice=False)
    entity_type = SelectField(_l("Record type"), choices=[], validate_choice=False)
    entity_id = StringField(_l("Record id"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To (inclusive)"), validators=[Optional()])
