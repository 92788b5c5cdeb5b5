"""Run the declared alerts: find the items, tell each concerned person once, audit it.

Never commits: ``flask alerts run`` and the daily task commit once. "Once" is the unique key
of SentAlert (alert, item key, recipient): each recipient's row is inserted in a savepoint,
and a row already there (an earlier run, or a run racing this one) means "already told".
"""

import os

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.alerts.models import SentAlert
from app.audit.services import record_event
from app.core.domains import REGISTRY
from app.notify.services import tell, users_with_roles


def setting(alert, what, default):
    """Return ALERT_<NAME>_<WHAT> from the app config, else the environment, else default."""
    key = f"ALERT_{alert.name.upper()}_{what}"
    value = current_app.config.get(key, os.environ.get(key))
    if value is None or value == "":
        return default
    if what == "ENABLED":
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    return int(value)


def is_enabled(alert):
    """Return True unless ALERT_<NAME>_ENABLED turns the alert off."""
    return setting(alert, "ENABLED", True)


def days_of(alert):
    """Return the alert's N days (its ALERT_<NAME>_DAYS setting or its declared default)."""
    return setting(alert, "DAYS", alert.days)


def concerned(users, item, roles):
    """Return the users an item is for: site-scoped people only for their own sites.

    A user hears of every site only through an alert role that is not site-scoped (a "site +
    logistics" account hears of all sites as logistics); through the site role alone, only of
    their own sites, whatever other roles they hold. An account limited to some sponsors hears
    only of items of their trials (and sites).
    """
    from app.core.permissions import SITE_SCOPED_ROLES

    def everywhere(user):
        return any(role not in SITE_SCOPED_ROLES for role in user.roles & set(roles))

    from app.core.queries import within_sponsor_limit

    users = [u for u in users if within_sponsor_limit(item, u)]
    if item.site_id is None:
        return [u for u in users if everywhere(u)]
    return [u for u in users if everywhere(u) or item.site_id in u.site_ids]


def claim_once(session, alert, item, user):
    """Record that the item is told to the user; None when it was already (or is racing)."""
    if session.scalar(select(SentAlert.id).where(
            SentAlert.alert == alert.name, SentAlert.item_key == item.key,
            SentAlert.user_id == user.id)) is not None:
        return None
    sent = SentAlert(alert=alert.name, item_key=item.key, user_id=user.id)
    try:
        with session.begin_nested():
            session.add(sent)
    except IntegrityError:
        return None
    return sent


def send(session, alert, item, user, sent):
    """Tell one user of one item (notice + e-mail in their language) and audit it."""
    tell(session, [user], lambda: alert.compose(item), item.link)
    record_event(session, "alert_sent", "sent_alert", sent.id,
                 label=f"{alert.name} · {user.email}"[:200],
                 changes={"alert": [None, alert.name], "item": [None, item.key],
                          "recipient": [None, user.email]})


def run_alert(session, alert, today):
    """Run one alert; return how many messages it sent."""
    if not is_enabled(alert):
        return 0
    items = alert.find(session, today, days_of(alert))
    if not items:
        return 0
    users = users_with_roles(session, alert.roles)
    sent = 0
    for item in items:
        for user in concerned(users, item, alert.roles):
            sent_row = claim_once(session, alert, item, user)
            if sent_row is None:
                continue
            send(session, alert, item, user, sent_row)
            sent += 1
    return sent


def run_alerts(session, today, names=None):
    """Run every declared (enabled) alert for the day; return {alert name: messages sent}."""
    return {alert.name: run_alert(session, alert, today) for alert in REGISTRY.alerts
            if names is None or alert.name in names}
