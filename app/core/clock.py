"""The business day.

The company works in Spain: a kit dispensed at 00:30 in Madrid is dispensed on the new day even
though the server's clock (UTC) still shows the old one. Every "today" in the application, and in
the tests that reason about it, comes from here.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Madrid"


def zone():
    """Return the zone whose calendar the business follows (the display time zone)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def today():
    """Return today's date in the business time zone."""
    return datetime.now(zone()).date()
