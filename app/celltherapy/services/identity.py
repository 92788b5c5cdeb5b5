"""The Chain of Identity identifier: ISBT 128 ST-028 (data structure 040), mod 37-2 check."""

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from stdnum.iso7064 import mod_37_2

from app.core.errors import DomainError

DATA_IDENTIFIER = "&/"
# CH, facility identification number (5), year (2), sequence (6).
COI_PATTERN = re.compile(r"CH[A-NP-Z1-9][A-NP-Z0-9]{2}[0-9]{2}[0-9]{2}[A-Z0-9]{6}")
FACILITY_PATTERN = re.compile(r"[A-NP-Z1-9][A-NP-Z0-9]{2}[0-9]{2}")


def check_character(coi):
    """Return the ISO/IEC 7064 mod 37-2 check character of the 15-character identifier."""
    return mod_37_2.calc_check_digit(coi)


def eye_readable(coi):
    """Return the printed groups: CH + facility, year, sequence (the check is boxed apart)."""
    return f"{coi[:7]} {coi[7:9]} {coi[9:]}"


def barcode_text(coi):
    """Return the barcode data: the ST-001 data identifier and the 15 characters."""
    return DATA_IDENTIFIER + coi


def facility():
    """Return the facility identification number the identifiers are allocated under."""
    value = current_app.config.get("CELL_COI_FACILITY", "A9998")
    if not FACILITY_PATTERN.fullmatch(value):
        raise DomainError(_("The facility identification number %(fin)s is not valid.",
                            fin=value))
    return value


def allocate(session, model, year):
    """Return the next free identifier of this facility and year (unique index backs it)."""
    prefix = f"CH{facility()}{year % 100:02d}"
    last = session.scalar(select(func.max(model.coi)).where(model.coi.like(prefix + "%")))
    number = int(last[9:]) + 1 if last and last[9:].isdigit() else 1
    return f"{prefix}{number:06d}"


def read_scan(text):
    """Return the 15-character identifier a scan or keyboard entry carries, or refuse.

    A barcode scan carries ``&/`` and the 15 characters; a keyboard entry the 15 characters
    and the check character, which must be right. Spaces and dashes are ignored.
    """
    value = re.sub(r"[\s-]", "", (text or "")).upper()
    if value.startswith(DATA_IDENTIFIER):
        value = value[len(DATA_IDENTIFIER):]
        if COI_PATTERN.fullmatch(value):
            return value
    elif len(value) == 16 and COI_PATTERN.fullmatch(value[:15]):
        if check_character(value[:15]) != value[15]:
            raise DomainError(_("%(value)s: the check character is wrong. Scan the barcode "
                                "or type the identifier again.", value=text.strip()))
        return value[:15]
    elif COI_PATTERN.fullmatch(value):
        raise DomainError(_("Type the identifier with its boxed check character (16 "
                            "characters), or scan the barcode."))
    raise DomainError(_("%(value)s is not a Chain of Identity identifier.",
                        value=(text or "").strip() or "—"))
