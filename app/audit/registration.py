"""The audit domain: the trail screens and the labels of the foundation's own events."""

from flask_babel import lazy_gettext as _l

from app.audit import bp
from app.audit.exports import build_log, count_log
from app.audit.labels import per_type
from app.core.domains import Domain, JobKind, MenuEntry, WorkQueue


def count_chain_broken(session, user):
    """1 when the latest audit entries or the chain head do not hold together."""
    from app.audit.queries import chain_tail_broken

    return chain_tail_broken(session)


def audit_url(user):
    from flask import url_for

    return url_for("audit.log")


DOMAIN = Domain(
    name="audit",
    blueprints=((bp, "/audit"),),
    permissions={**{role: {"audit.view"} for role in ("logistics", "qp", "monitor")},
                 "admin": {"audit.view", "audit.chain"}},
    # The admin's home shows whether the chain holds (0: it does).
    work_queues=(WorkQueue("audit_chain", _l("Audit chain problems (latest entries)"),
                           "audit.chain", count=count_chain_broken, url=audit_url,
                           urgency=100),),
    menu=(MenuEntry(_l("Audit trail"), "audit.log", "audit.view", order=70),),
    jobs=(JobKind("audit_log", _l("Audit trail (Excel)"), "audit.view", count_log, build_log,
                  filename="audit-trail.xlsx"),),
    audit_actions={
        "create": _l("Created"),
        "update": _l("Changed"),
        "delete": _l("Removed"),
    },
    # Field names that mean the same on every record; a domain labels its own fields.
    audit_fields={
        "id": _l("Record id"),
        "status": _l("Status"),
        "kind": _l("Kind"),
        "name": _l("Name"),
        "code": _l("Code"),
        "description": _l("Description"),
        "reason": _l("Reason"),
        "comment": _l("Comment"),
        "notes": _l("Notes"),
        "address": _l("Address"),
        "phone": _l("Telephone"),
        "country": _l("Country"),
        "email": _l("E-mail"),
        "full_name": _l("Full name"),
        "active": _l("Active"),
        "created_by_id": _l("Created by"),
        "uploaded_by_id": _l("Uploaded by"),
        "uploaded_at": _l("Uploaded (UTC)"),
        "file_sha256": _l("File fingerprint (SHA-256)"),
        "minutes_out": _l("Minutes out of range"),
        "min_c": _l("Lowest °C"),
        "max_c": _l("Highest °C"),
        # The stored file (app/files), kept by the foundation for every domain.
        **per_type("file", original_name=_l("File name"), storage_key=_l("Storage key"),
                   content_type=_l("Content type"), size=_l("Size (bytes)"),
                   sha256=_l("Fingerprint (SHA-256)")),
    },
    record_types={"file": _l("File")},
)
