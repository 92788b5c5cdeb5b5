"""Electronic signatures: the signing form and the signer's own list."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import RECORD_TYPE_NAMES, per_type
from app.core.domains import Domain
from app.core.permissions import ROLE_LABELS
from app.esign import bp
from app.esign.models import MEANINGS

DOMAIN = Domain(
    name="esign",
    blueprints=((bp, "/sign"),),
    permissions={role: {"esign.sign"}
                 for role in ("admin", "site", "unblinded", "qp", "finance", "monitor")},
    # Held through the site role, signing reaches only the account's own sites' records.
    site_scoped=frozenset({"esign.sign"}),
    audit_actions={
        "signature_failed": _l("Failed signature"),
        "signature_refused_locked": _l("Signature refused: signing locked"),
        "signing_locked": _l("Signing locked"),
    },
    audit_fields=per_type(
        "signature", signer_id=_l("Signed by"), printed_name=_l("Printed name"),
        meaning=_l("Meaning"), signed_at=_l("Signed at (UTC)"), entity_type=_l("Record type"),
        entity_id=_l("Record id"), content_hash=_l("Content hash"), role=_l("Role")),
    audit_values={
        ("signature", "meaning"): MEANINGS,
        ("signature", "entity_type"): RECORD_TYPE_NAMES,
        ("signature", "role"): ROLE_LABELS,
    },
    record_types={"signature": _l("Electronic signature")},
)
