"""Portal and back-office forms: invitations, claims, lines, receipts, bank details, batches."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.core.forms import no_control_chars, reason_field, text_field
from app.reimbursement.models import CATEGORIES, KINDS, RELATIONS

LANGUAGES = [("es", "Español"), ("en", "English")]
ACCEPT = "image/jpeg,image/png,image/heic,.heic,image/webp,application/pdf"


# photo.js shrinks big photos in the browser before upload (10 MB is the server's limit).
PHOTO_KW = {"accept": ACCEPT, "data-max-bytes": str(10 * 1024 * 1024), "data-downscale": "2400",
            "data-too-big": _l("This file is larger than 10 MB and cannot be made smaller here. "
                               "Take the photo again at a lower resolution or send a PDF.")}

class InviteForm(FlaskForm):
    """Invite a subject's patient or caregiver to the portal."""

    relation = RadioField(_l("Who is it?"), choices=list(RELATIONS.items()), default="patient")
    full_name = text_field(_l("Full name"), 200)
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(message=_l("This field is required.")),
        Email(message=_l("Type a valid e-mail address.")), Length(max=254)])
    language = RadioField(_l("Language of the portal and e-mails"), choices=LANGUAGES,
                          default="es")


class NewClaimForm(FlaskForm):
    """Choose what the claim is for: a visit of the schedule or a stay."""

    creation_token = HiddenField()
    claimant_id = RadioField(_l("Who is claiming?"), coerce=int, validate_choice=False)
    period = RadioField(_l("What is the claim for?"),
                        choices=[("visit", _l("A visit")),
                                 ("stay", _l("A stay near the hospital"))],
                        default="visit")
    visit_id = RadioField(_l("Visit"), coerce=int, validate_choice=False,
                          validators=[Optional()])
    stay_start = DateField(_l("First day of the stay"), validators=[Optional()])
    stay_end = DateField(_l("Last day of the stay"), validators=[Optional()])


class LineForm(FlaskForm):
    """One expense: category, date, description, amount or quantity, an optional receipt."""

    category = RadioField(_l("Kind of expense"), validators=[
        InputRequired(message=_l("Choose the kind of expense."))])
    line_date = DateField(_l("Date of the expense"), validators=[
        InputRequired(message=_l("Give the date of the expense."))])
    description = text_field(_l("Description"), 300,
                             description=_l("For example: taxi from home to the hospital."))
    amount = StringField(_l("Amount in euros"), validators=[Length(max=20), no_control_chars],
                         description=_l("Not needed for car trips: the amount is computed."),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    quantity = StringField(_l("Kilometres, days or nights"),
                           validators=[Length(max=20), no_control_chars],
                           description=_l("For car trips the kilometres; for per diem the "
                                          "days; for lodging the nights."),
                           render_kw={"inputmode": "decimal", "autocomplete": "off"})
    receipt = FileField(_l("Receipt (photo or PDF)"), render_kw=PHOTO_KW)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(c, CATEGORIES[c]) for c in categories]


class ReceiptForm(FlaskForm):
    """Attach a receipt to a line."""

    receipt = FileField(_l("Receipt (photo or PDF)"), validators=[
        DataRequired(message=_l("Choose a file."))], render_kw=PHOTO_KW)


class SubmitClaimForm(FlaskForm):
    """Send the claim with the declaration."""

    declaration = BooleanField(
        _l("I declare that these costs are real, that I paid them to take part in the trial "
           "and that nobody else has paid them back to me."))


class BankForm(FlaskForm):
    """A payee's bank details."""

    holder_name = text_field(_l("Account holder"), 140)
    iban = StringField(_l("IBAN"), validators=[
        DataRequired(message=_l("This field is required.")), Length(max=42), no_control_chars],
        description=_l("For example ES91 2100 0418 4502 0005 1332."),
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=11), no_control_chars])
    holder_is_payee = RadioField(_l("Is the account in your name?"),
                                 choices=[("yes", _l("Yes")), ("no", _l("No"))], default="yes")
    authorisation = FileField(
        _l("Authorisation signed by the account holder"),
        description=_l("Only when the account is not in your name: a photo or PDF."),
        render_kw=PHOTO_KW)


class RequestReceiptForm(FlaskForm):
    """Ask the claimant for a missing receipt."""

    note = text_field(_l("Message to the patient"), 300, required=False)


class ReviewForm(FlaskForm):
    """Carries the CSRF token; review_form adds each line's decision, amount and reason."""


def review_form(claim, **kwargs):
    """Return the review form of a claim: decision_<id>, amount_<id>, reason_<id> per line.

    The fields hold what was typed so a refusal is shown beside the line it concerns;
    services.review.read_decisions reads and checks them.
    """
    attrs = {}
    for line in claim.lines:
        attrs[f"decision_{line.id}"] = StringField()
        attrs[f"amount_{line.id}"] = StringField()
        attrs[f"reason_{line.id}"] = StringField()
    return type("ClaimReviewForm", (ReviewForm,), attrs)(**kwargs)


class BatchForm(FlaskForm):
    """Choose approved claims and the execution date."""

    claims = SelectMultipleField(_l("Approved claims"), coerce=int, validate_choice=False)
    execution_date = DateField(_l("Execution date"), validators=[
        InputRequired(message=_l("Give the execution date."))])


class ConfirmForm(FlaskForm):
    """A confirmation button with CSRF protection."""


class MarkPaidForm(FlaskForm):
    """What the bank's statement says about a batch that was paid."""

    value_date = DateField(_l("Value date on the bank statement"), validators=[
        InputRequired(message=_l("Give the value date from the bank statement."))])
    bank_reference = text_field(_l("Bank reference"), 35)


class CancelBatchForm(FlaskForm):
    """Why a prepared batch is cancelled."""

    reason = reason_field(_l("Why is the batch cancelled?"))


def policy_form(policy):
    """Return a form class with the policy's fields and one group per category."""
    from wtforms import DecimalField, IntegerField
    from wtforms.validators import NumberRange

    def money(label, required=True):
        checks = [NumberRange(min=0, message=_l("Use 0 or more."))]
        checks.insert(0, InputRequired(message=_l("This field is required.")) if required
                      else Optional())
        return DecimalField(label, places=2, validators=checks)

    attrs = {
        "mileage_rate": DecimalField(_l("Mileage rate (EUR per km)"), places=3, validators=[
            InputRequired(), NumberRange(min=0.01, max=2)]),
        "max_km_per_trip": IntegerField(_l("Most kilometres for one trip"), validators=[
            InputRequired(), NumberRange(min=1, max=3000)]),
        "cap_per_line": money(_l("Cap per expense (EUR)"), required=False),
        "cap_per_visit": money(_l("Cap per visit (EUR)"), required=False),
        "cap_per_month": money(_l("Cap per month (EUR)"), required=False),
        "per_diem_amount": money(_l("Per diem (EUR per day)")),
        "per_night_amount": money(_l("Lodging (EUR per night)")),
        "days_from_visit": IntegerField(_l("Days an expense may be from its visit"),
                                        validators=[InputRequired(), NumberRange(min=0, max=60)]),
        "reason": reason_field(),
    }
    for rule in policy.categories:
        prefix = rule.category
        attrs[f"{prefix}_allowed"] = BooleanField(_l("Allowed"))
        attrs[f"{prefix}_kind"] = RadioField(_l("Paid as"), choices=list(KINDS.items()))
        attrs[f"{prefix}_receipt_required"] = BooleanField(_l("Receipt required"))
        attrs[f"{prefix}_receipt_above"] = money(_l("Receipt needed above (EUR)"))
    return type("PolicyForm", (FlaskForm,), attrs)


