"""User administration and the e-mail outbox."""

from flask_babel import lazy_gettext as _l

from app.admin import bp
from app.core.domains import Domain, MenuEntry

DOMAIN = Domain(
    name="admin",
    blueprints=((bp, "/admin"),),
    permissions={"admin": {"users.manage"}},
    menu=(MenuEntry(_l("Users"), "admin.list_users", "users.manage", order=80),),
)
