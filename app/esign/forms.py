"""The signing form: password again, meaning confirmed."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length


class SignForm(FlaskForm):
    """Re-enter the password and confirm the meaning of the signature."""

    meaning = HiddenField(validators=[DataRequired()])
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    comment = TextAreaField(_l("Comment"), validators=[Length(max=500)], render_kw={"rows": 2})
    confirm = BooleanField(
        _l("I understand that this electronic signature is the legally binding equivalent "
           "of my handwritten signature."),
        validators=[DataRequired(message=_l("Confirm the statement to sign."))],
    )
