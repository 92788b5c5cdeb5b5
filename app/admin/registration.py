"""User administration and the e-mail outbox."""

from flask_babel import lazy_gettext as _l

from app.admin import bp
from app.core.domains import Domain, MenuEntry, WorkQueue


def count_invited(session, user):
    """Accounts invited that have not set their password (the filtered user list)."""
    from app.admin.queries import invited_count

    return invited_count(session, user)


def invited_url(user):
    from flask import url_for

    return url_for("admin.list_users", status="invited")


DOMAIN = Domain(
    name="admin",
    blueprints=((bp, "/admin"),),
    permissions={"admin": {"users.manage"}},
    menu=(MenuEntry(_l("Users"), "admin.list_users", "users.manage", order=80),),
    work_queues=(WorkQueue("invited_users", _l("Users invited who have not started yet"),
                           "users.manage", count=count_invited, url=invited_url,
                           urgency=30),),
)
