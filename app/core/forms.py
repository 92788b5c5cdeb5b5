"""Form pieces every domain shares."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError


def no_control_chars(form, field):
    """Refuse control characters that no person types into a text field."""
    value = field.data or ""
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise ValidationError(_l("This text contains characters that are not allowed."))


def no_control_chars_but_gs(form, field):
    """Like no_control_chars, but let the GS1 group separator (0x1d) a scanner sends pass."""
    value = field.data or ""
    if any(ord(c) < 32 and c not in "\r\n\t\x1d" for c in value):
        raise ValidationError(_l("This text contains characters that are not allowed."))


def scan_field(label, required=True, **kwargs):
    """Return the field a barcode scanner types into: a kit number or a GS1 DataMatrix."""
    validators = [Length(max=200), no_control_chars_but_gs]
    if required:
        validators.insert(0, DataRequired(message=_l("This field is required.")))
    render_kw = {"autocomplete": "off", "inputmode": "text", "spellcheck": "false",
                 "data-scan-field": "",
                 # Said by scan.js when the connection drops with scans still waiting to go.
                 "data-scan-offline": _l("No connection: {codes} could not be sent. When "
                                         "the connection is back, scan them again.")}
    render_kw.update(kwargs.pop("render_kw", {}))
    return StringField(label, validators=validators, filters=[_strip], render_kw=render_kw,
                       **kwargs)


def reason_field(label=None):
    """Return the required 'reason for change' field of GxP edit forms."""
    return TextAreaField(
        label or _l("Reason for the change"),
        validators=[DataRequired(message=_l("Give a reason for this change.")),
                    Length(max=500), no_control_chars],
        render_kw={"rows": 2},
    )


class ReasonForm(FlaskForm):
    """A form that only asks for a reason (retire, deactivate...)."""

    reason = reason_field()


def text_field(label, max_length, required=True, **kwargs):
    """Return a trimmed text field with a length limit and a clear required message."""
    validators = [Length(max=max_length), no_control_chars]
    if required:
        validators.insert(0, DataRequired(message=_l("This field is required.")))
    return StringField(label, validators=validators, filters=[_strip], **kwargs)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SearchForm(FlaskForm):
    """The search box above lists (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=100)])


# Numbers a person can type but no column can hold ("1e400", "Infinity", 20 digits) must
# come back as a field error, not a 500 from the database or from Decimal.quantize.
MAX_INTEGER = 2**31 - 1
MAX_DECIMAL = Decimal("1e12")
OUT_OF_RANGE = _l("This number is out of the accepted range.")


def _integer_ok(value):
    return -MAX_INTEGER <= value <= MAX_INTEGER


def _decimal_ok(value):
    return value.is_finite() and abs(value) < MAX_DECIMAL


def _guard(field_class, accept):
    original = field_class.process_formdata
    if getattr(original, "guarded", False):
        return

    def process_formdata(self, valuelist):
        original(self, valuelist)
        if self.data is not None and not accept(self.data):
            self.data = None
            raise ValueError(str(OUT_OF_RANGE))

    process_formdata.guarded = True
    field_class.process_formdata = process_formdata


def install_number_guards():
    """Refuse non-finite and oversized numbers in every Integer and Decimal field."""
    _guard(IntegerField, _integer_ok)
    _guard(DecimalField, _decimal_ok)
