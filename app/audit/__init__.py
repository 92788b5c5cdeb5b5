"""The audit trail: log screen, record history, export, chain verification."""

from flask import Blueprint

from app.audit.labels import action_label, entry_labels, record_type_label

bp = Blueprint("audit", __name__)

# Templates say entries in words: audit_labels(entries) loads what their keys name once.
bp.add_app_template_global(entry_labels, "audit_labels")
bp.add_app_template_global(action_label, "audit_action_label")
bp.add_app_template_global(record_type_label, "record_type_label")


from app.audit import views  # noqa: E402, F401
