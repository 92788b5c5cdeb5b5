"""The audit domain: the trail screens and the labels of the foundation's own events."""

from flask_babel import lazy_gettext as _l

from app.audit import bp
from app.core.domains import Domain, MenuEntry

DOMAIN = Domain(
    name="audit",
    blueprints=((bp, "/audit"),),
    permissions={role: {"audit.view"} for role in ("admin", "logistics", "qp", "monitor")},
    menu=(MenuEntry(_l("Audit trail"), "audit.log", "audit.view", order=70),),
    audit_actions={
        "create": _l("Created"),
        "update": _l("Changed"),
        "delete": _l("Removed"),
    },
)
