"""Read what a scanner sends: a plain kit number (typed or Code 128) or a GS1 DataMatrix.

A GS1 code names the kit by its serial (AI 21); the GTIN (01), lot (10) and expiry (17) it
carries must agree with what the kit record knows, or the scan is refused with the reason.
"""

import re

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.stock.models import Kit

GS = "\x1d"
# Keyboard-wedge scanners that cannot type the GS control character often send one of these.
GS_STAND_INS = ("<GS>", "{GS}", "^]", "\u241d")
GS1_PREFIXES = ("]d2", "]C1", "]Q3", "]e0")
PLAIN_PREFIXES = ("]C0", "]A0", "]E0", "]I0")
GS1_START = re.compile(r"^(\(01\)|01\d{14}|\(21\)|21)")


def _normalised(scanned):
    text = (scanned or "").strip()
    for stand_in in GS_STAND_INS:
        text = text.replace(stand_in, GS)
    return text


def parse_scan(scanned):
    """Return (kit_number, {"gtin", "lot", "expiry"}) from a scanned or typed text."""
    text = _normalised(scanned)
    if text.startswith("]"):
        prefix, body = text[:3], text[3:]
        if prefix in PLAIN_PREFIXES:
            return body.strip(), {}
        if prefix not in GS1_PREFIXES:
            raise DomainError(_("This code (%(prefix)s) is not a kit label: scan the kit's "
                                "DataMatrix or its kit number.", prefix=prefix[:3]),
                              "kit_number")
        return _parse_gs1(body)
    if GS in text or text.startswith("(") or (len(text) > 16 and GS1_START.match(text)):
        return _parse_gs1(text)
    return text, {}


def _parse_gs1(body):
    from biip import ParseError  # here: biip's tables weigh 15 MB (the job consumer's memory)
    from biip.gs1_messages import GS1Message

    body = body.lstrip(GS)
    try:
        message = (GS1Message.parse_hri(body) if body.startswith("(")
                   else GS1Message.parse(body))
    except (ParseError, ValueError):
        raise DomainError(_("This GS1 code could not be read. Scan it again or type the kit "
                            "number."), "kit_number") from None
    found = {es.ai.ai: es for es in message.element_strings}
    if "21" not in found:
        raise DomainError(_("This GS1 code has no serial number (21): it does not name a "
                            "kit."), "kit_number")
    details = {}
    if "01" in found:
        if found["01"].gtin_error:
            raise DomainError(_("The GTIN in this code is not valid (wrong check digit)."),
                              "kit_number")
        details["gtin"] = found["01"].value
    if "10" in found:
        details["lot"] = found["10"].value
    if "17" in found:
        details["expiry"] = found["17"].date
    return found["21"].value.strip(), details


def check_scan(kit, details):
    """Refuse when the code's GTIN, lot or expiry contradicts what the kit record knows."""
    gtin = getattr(kit.product, "gtin", None) or getattr(kit.lot, "gtin", None)
    if details.get("gtin") and gtin and details["gtin"] != gtin:
        raise DomainError(_("Kit %(kit)s: the code's GTIN %(code)s is not its product's GTIN "
                            "%(gtin)s. Nothing was recorded.", kit=kit.kit_number,
                            code=details["gtin"], gtin=gtin), "kit_number")
    if details.get("lot") and kit.lot is not None and details["lot"] != kit.lot.number:
        raise DomainError(_("Kit %(kit)s: the code's lot %(code)s is not the kit's lot "
                            "%(lot)s. Nothing was recorded.", kit=kit.kit_number,
                            code=details["lot"], lot=kit.lot.number), "kit_number")
    if details.get("expiry") and kit.expires_on and details["expiry"] != kit.expires_on:
        raise DomainError(_("Kit %(kit)s: the code's expiry %(code)s is not the kit's expiry "
                            "%(date)s. Nothing was recorded.", kit=kit.kit_number,
                            code=format_date(details["expiry"]),
                            date=format_date(kit.expires_on)), "kit_number")


def kit_number_from_scan(session, trial_id, scanned):
    """Return the kit number a scan names, after checking a GS1 code against the kit."""
    number, details = parse_scan(scanned)
    if details:
        kit = session.scalar(select(Kit).where(Kit.trial_id == trial_id,
                                               Kit.kit_number == number))
        if kit is not None:
            check_scan(kit, details)
    return number
