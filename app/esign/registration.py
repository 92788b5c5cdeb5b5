"""Electronic signatures: the signing form and the signer's own list."""

from flask_babel import lazy_gettext as _l

from app.core.domains import Domain
from app.esign import bp

DOMAIN = Domain(
    name="esign",
    blueprints=((bp, "/sign"),),
    permissions={role: {"esign.sign"}
                 for role in ("admin", "site", "unblinded", "qp", "finance", "monitor")},
    audit_actions={
        "signature_failed": _l("Failed signature"),
        "signature_refused_locked": _l("Signature refused: signing locked"),
        "signing_locked": _l("Signing locked"),
    },
)
