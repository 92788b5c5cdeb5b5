"""Label templates: the validator of Annex VI particulars, saving, QA approval, new versions."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.core.states import apply_transition
from app.esign.services import sign
from app.labelling.gs1 import LabelCode
from app.labelling.models import LETTERS, LabelTemplate
from app.labelling.services.render import LabelDrawer
from app.labelling.states import LABEL_TEMPLATE

# Annex VI A.1 (a)-(l), as the validator names them.
PARTICULARS = {
    "a": _l("Main contact: name, address and telephone (also for emergency unblinding)"),
    "b": _l("Substance and strength (blinded: with the placebo or comparator)"),
    "c": _l("Pharmaceutical form, route of administration, quantity of dosage units"),
    "d": _l("Batch or code number"),
    "e": _l("Trial reference code"),
    "f": _l("Subject and/or treatment number, visit number"),
    "g": _l("Investigator name"),
    "h": _l("Directions for use"),
    "i": _l("“For clinical trial use only”"),
    "j": _l("Storage conditions"),
    "k": _l("Expiry or re-test date (month/year)"),
    "l": _l("“Keep out of reach of children”"),
}
# Which particulars each packaging must carry: A.1 in full; A.2.2 for blisters and ampoules
# (contact, product with route, batch, trial code, subject/treatment); the A.3 additional
# label of an expiry extension states the new expiry and repeats the batch number.
REQUIRED = {"outer": LETTERS, "immediate": LETTERS, "small": "abdef", "extension": "dk"}
# The values a template's text must take from each kit.
PLACEHOLDERS = {"d": "[batch]", "e": "[protocol]", "f": "[kit]", "k": "[expiry]"}
TEMPLATE_FIELDS = ("name", "product_id", "packaging", "language", "width_mm", "height_mm",
                   "font_size", *(f"particular_{letter}" for letter in LETTERS))
PLACEBO_WORDS = ("placebo", "comparador", "comparator")


@dataclass(frozen=True)
class Check:
    """One particular as the validator sees it."""

    letter: str
    label: object
    required: bool
    present: bool
    problem: str = ""


def validate(template):
    """Return a Check per particular (a-l) of the template's packaging."""
    required = REQUIRED[template.packaging]
    checks = []
    for letter in LETTERS:
        text = template.particular(letter).strip()
        problem = ""
        if text and letter in PLACEHOLDERS and PLACEHOLDERS[letter] not in text:
            problem = _("must contain %(placeholder)s", placeholder=PLACEHOLDERS[letter])
        if (letter == "b" and text and template.trial is not None and template.trial.blinded
                and not any(word in text.lower() for word in PLACEBO_WORDS)):
            problem = _("a blinded trial names the placebo or comparator with the product")
        checks.append(Check(letter, PARTICULARS[letter], letter in required,
                            bool(text) and not problem, problem))
    return checks


def summary(checks):
    """Return (present, required) counts of the required particulars."""
    required = [c for c in checks if c.required]
    return sum(c.present for c in required), len(required)


def particular_texts(template):
    """Return the template's particulars that have text, in letter order, placeholders kept."""
    return [text for text in (template.particular(letter).strip() for letter in LETTERS)
            if text]


def fill_placeholders(texts, values):
    """Return the texts with the kit's values in place of [batch], [protocol], [kit]..."""
    lines = []
    for text in texts:
        if "[" in text:
            for name, value in values.items():
                text = text.replace(f"[{name}]", value)
        lines.append(text)
    return lines


def label_lines(template, values):
    """Return the label's text lines: each particular with the kit's values filled in."""
    return fill_placeholders(particular_texts(template), values)


def sample_label(template):
    """Return (lines, code) of a label with the widest values, to check that text fits."""
    trial = template.trial
    code = LabelCode("09506000134352", date(2099, 12, 31), "W" * 12, "W" * 12,
                     trial.protocol_code[:20] if trial else "PROTOCOL")
    values = {"batch": code.batch, "protocol": code.protocol, "kit": code.serial,
              "expiry": "12/2099"}
    return label_lines(template, values), code


def check_fits(template):
    """Refuse a template whose text would not fit its box with the widest values."""
    lines, code = sample_label(template)
    LabelDrawer(template).layout(lines, code)


def save_template(session, trial, data, template=None):
    """Create or change a draft template; a signed (approved) template never changes."""
    if template is not None and template.status != "draft":
        raise DomainError(_("An approved template never changes: make a new version."))
    if data.get("packaging") not in REQUIRED:
        raise DomainError(_("Choose the packaging."), "packaging")
    template = template or LabelTemplate(trial_id=trial.id, version=1, status="draft")
    template.trial = trial
    for name in TEMPLATE_FIELDS:
        if name in data:
            value = data[name]
            setattr(template, name, value.strip() or None if isinstance(value, str) else value)
    if not template.product_id:
        template.product_id = None
    session.add(template)
    check_fits(template)
    session.flush()
    return template


def approve_template(session, template, *, signer, password, comment=None):
    """QA approves a complete template that fits, with the e-signature "approved"."""
    present, required = summary(validate(template))
    if present < required:
        missing = ", ".join(c.letter for c in validate(template) if c.required and not c.present)
        raise DomainError(_("The template lacks particulars %(letters)s of Annex VI; it cannot "
                            "be approved.", letters=missing))
    check_fits(template)
    signature = sign(session, template, meaning="approved", signer=signer, password=password,
                     comment=comment)
    apply_transition(session, LABEL_TEMPLATE, template, "approve", by=signer,
                     signature=signature)
    return template


def new_version(session, template):
    """Copy an approved or retired template into the next draft version."""
    latest = session.scalar(select(func.max(LabelTemplate.version)).where(
        LabelTemplate.trial_id == template.trial_id, LabelTemplate.name == template.name))
    copy = LabelTemplate(trial_id=template.trial_id, version=(latest or 0) + 1,
                         status="draft")
    for name in TEMPLATE_FIELDS:
        setattr(copy, name, getattr(template, name))
    session.add(copy)
    session.flush()
    return copy
