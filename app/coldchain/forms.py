"""The form fields that say how to read a logger file, and what a refused file shows.

Every upload of a logger export (a trip's logger, a site fridge's logger) reads the file the
same way: a preview first, the bytes staged until the user confirms (app/files/staging.py).
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.coldchain.logger import (
    DATE_ORDERS,
    DEFAULT_TIMEZONE,
    DELIMITERS,
    MAX_LOGGER_BYTES,
    TIME_FORMATS,
    TIMEZONES,
    LoggerFileError,
    ParseOptions,
    read_options_from_text,
)
from app.coldchain.logger_presets import PRESETS

AUTO = [("", _l("Detect"))]
DELIMITER_CHOICES = {"comma": ",", "semicolon": ";", "tab": "\t"}


class LoggerReadForm(FlaskForm):
    """A logger's export file, read first into a preview; how to read it when asked."""

    file = FileField(_l("Logger file (CSV, TXT or Excel .xlsx)"))
    preset = SelectField(_l("Logger model"), choices=AUTO + [
        (key, preset.label) for key, preset in PRESETS.items()], validators=[Optional()])
    delimiter = SelectField(_l("Column separator"), choices=AUTO + [
        ("comma", DELIMITERS[","]), ("semicolon", DELIMITERS[";"]), ("tab", DELIMITERS["\t"])],
        validators=[Optional()])
    timestamp_column = StringField(_l("Timestamp column"), validators=[Length(max=60)],
                                   filters=[lambda v: v.strip() if isinstance(v, str) else v])
    temperature_column = StringField(_l("Temperature column"), validators=[Length(max=60)],
                                     filters=[lambda v: v.strip() if isinstance(v, str) else v])
    decimal = SelectField(_l("Decimal mark"), choices=AUTO + [
        ("point", _l("Point (4.5)")), ("comma", _l("Comma (4,5)"))], validators=[Optional()])
    unit = SelectField(_l("Unit"), choices=AUTO + [("C", _l("Celsius (°C)")),
                                                   ("F", _l("Fahrenheit (°F)"))],
                       validators=[Optional()])
    time_format = SelectField(_l("Date order"), choices=AUTO + [
        (key, TIME_FORMATS[key]) for key in DATE_ORDERS],
                              validators=[Optional()])
    timezone = SelectField(_l("Times without a zone are in"), choices=list(TIMEZONES.items()),
                           default=DEFAULT_TIMEZONE)
    staged = HiddenField()
    staged_name = HiddenField()
    previewed = HiddenField()


def parse_options(form, default_zone):
    """Return the ParseOptions the user chose (empty choices: detect)."""
    return ParseOptions(
        delimiter=DELIMITER_CHOICES.get(form.delimiter.data),
        timestamp_column=form.timestamp_column.data or None,
        temperature_column=form.temperature_column.data or None,
        decimal_comma={"comma": True, "point": False}.get(form.decimal.data),
        unit=form.unit.data or None, time_format=form.time_format.data or None,
        timezone=form.timezone.data or default_zone,
        preset=form.preset.data or None)


def refusal_details(refused):
    """Return what the form page shows after a refused file: bad lines, columns, date order."""
    problems, total, columns, ask = [], 0, None, None
    error = (refused or {}).get("error")
    if isinstance(error, LoggerFileError):
        problems, total = error.problems, error.total
        ask = error.samples if error.ask == "date_order" else None
        data = refused.get("data") or b""
        if len(data) <= MAX_LOGGER_BYTES:
            columns = (read_options_from_text(data) or {}).get("columns")
    return {"problems": problems, "total": total, "columns": columns, "ask": ask,
            "zones": TIMEZONES, "presets": PRESETS}
