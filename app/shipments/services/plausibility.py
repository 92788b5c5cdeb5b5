"""Is a logger file plausible for this shipment? Its period and the logger it names.

The checks work on the parsed readings' times and on the file's own words; the file is kept
exactly as uploaded (app/coldchain parses, it is not changed here).
"""

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.core.models import utcnow

DEFAULT_MARGIN_HOURS = 12
# "logger LG-2041", "Serial: 123", "S/N: AB-1", "Logger ID, T-77" in the lines before the data
SERIAL_PATTERN = re.compile(
    r"(?:serial(?:\s*(?:no|number|nr))?|s/n|logger\s*id|logger)\s*[:=,;#]?\s*"
    r"([A-Za-z0-9][A-Za-z0-9._/-]{1,59})", re.I)


def file_serial(data, parsed=None):
    """Return the logger serial the file names (parser's, else its leading lines), or None."""
    named = getattr(parsed, "serial", None) or getattr(parsed, "logger_serial", None)
    if named:
        return str(named).strip()
    head = data[:2000].decode("utf-8", "replace").splitlines()[:6]
    for line in head:
        if line[:1].isdigit():  # the readings have begun
            break
        for match in SERIAL_PATTERN.finditer(line):
            found = match.group(1).rstrip(".,;)")
            if any(c.isdigit() for c in found):  # "logger export" names no logger
                return found
    return None


def shipment_loggers(shipment):
    """Return the logger ids recorded at packing."""
    return [p.strip() for p in re.split(r"[,;\s]+", shipment.logger_ids or "") if p.strip()]


def check_logger_serial(shipment, serial, data, parsed):
    """Refuse a file that names a logger other than the shipment's (or than the one typed)."""
    named = file_serial(data, parsed)
    if not named:
        return
    loggers = shipment_loggers(shipment) or [serial]
    if named.lower() not in {x.lower() for x in loggers}:
        raise DomainError(_("The file comes from logger %(named)s; this shipment carries "
                            "%(loggers)s. Upload the file of this shipment's logger.",
                            named=named, loggers=", ".join(loggers)), "file")
    if serial and named.lower() != serial.lower():
        raise DomainError(_("The file comes from logger %(named)s, not %(serial)s.",
                            named=named, serial=serial), "logger_serial")


def journey(shipment):
    """Return (start, end) of the shipment's journey with the margin: packing to receipt."""
    margin = timedelta(hours=current_app.config.get("LOGGER_JOURNEY_MARGIN_HOURS",
                                                    DEFAULT_MARGIN_HOURS))
    start = shipment.packed_at or shipment.dispatched_at or shipment.created_at
    end = shipment.received_at or shipment.delivered_at or utcnow()
    return start - margin, end + margin


def _when(moment):
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def check_journey(shipment, times, by, accept_reason):
    """Refuse readings outside the journey unless QA accepts them; return the reason kept."""
    accept_reason = (accept_reason or "").strip() or None
    if not times:
        return None
    start, end = journey(shipment)
    first, last = min(times), max(times)
    if start <= first and last <= end:
        return None
    if accept_reason is not None:
        if by is None or not by.can("shipments.decide"):
            raise DomainError(_("Only QA may accept logger data from outside the shipment's "
                                "journey."), "accept_reason")
        if len(accept_reason) > 500:
            raise DomainError(_("At most 500 characters."), "accept_reason")
        return accept_reason
    raise DomainError(_(
        "The file covers %(first)s to %(last)s; shipment %(n)s travelled from %(start)s to "
        "%(end)s (packing to receipt, with a margin of %(margin)s hours). Upload the file of "
        "this journey, or QA may accept this one with a reason.",
        first=_when(first), last=_when(last), n=shipment.number, start=_when(start),
        end=_when(end), margin=current_app.config.get("LOGGER_JOURNEY_MARGIN_HOURS",
                                                      DEFAULT_MARGIN_HOURS)), "file")
