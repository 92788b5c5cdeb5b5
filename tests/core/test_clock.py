"""The business day follows Madrid's calendar, not the server's UTC clock."""
from datetime import UTC, date, datetime

import pytest

from app.core import clock as clock_module


class _LateEvening(datetime):
    """23:30 UTC on 27 November 2026: already 00:30 on the 28th in Madrid."""

    @classmethod
    def now(cls, tz=None):
        moment = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


@pytest.fixture
def real_today(request, monkeypatch):
    monkeypatch.setattr(clock_module, "datetime", _LateEvening)
    return request.config._real_today


def test_a_madrid_night_is_already_the_next_day(real_today, app):
    with app.app_context():
        assert real_today() == date(2026, 11, 28)


def test_the_display_zone_setting_decides_the_day(real_today, app, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "America/New_York")
    with app.app_context():
        assert real_today() == date(2026, 11, 27)


def test_outside_a_request_the_day_is_madrid_s(real_today):
    assert real_today() == date(2026, 11, 28)
