"""Template globals and filters: navigation, permissions, dates, numbers, money."""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import request
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from app.core.badges import state_family
from app.core.nav import nav_for, user_menu_for
from app.core.permissions import ROLE_LABELS


def local_datetime(value, fmt="short"):
    """Format an aware UTC datetime in the display time zone."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def utc_datetime(value):
    """Format a datetime in UTC with its zone named (audit and signatures)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def local_date(value, fmt="medium"):
    """Format a date for the current language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, fmt) if isinstance(value, date) else str(value)


def money(value, currency="EUR"):
    """Format a Decimal amount as money for the current language."""
    if value is None:
        return ""
    return format_currency(Decimal(value), currency)


def number(value, digits=None):
    """Format a number for the current language."""
    if value is None:
        return ""
    if digits is not None:
        return format_decimal(value, format="#,##0." + "0" * digits)
    return format_decimal(value)


def url_with(**changes):
    """Return the current URL with some query arguments replaced (page, sort...)."""
    from flask import url_for

    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def install(app):
    """Register globals and filters on the app."""
    app.jinja_env.filters.update(
        dt=local_datetime, utc=utc_datetime, d=local_date, money=money, number=number
    )
    app.jinja_env.globals.update(url_with=url_with, role_labels=ROLE_LABELS,
                                  state_family=state_family)

    @app.context_processor
    def inject():
        return {
            "nav_entries": nav_for(current_user),
            "user_menu_entries": user_menu_for(current_user),
            "current_locale": get_locale().language,
        }
