"""Returns, reconciliation, destruction: permissions, menu, labels, queues, certificate job."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core.domains import Domain, JobKind, MenuEntry, WorkQueue
from app.destruction import bp
from app.destruction.models import (
    BATCH_PLACES,
    BATCH_STATUSES,
    DESTRUCTION_METHODS,
    RECONCILIATION_STATUSES,
    RETURN_CONDITIONS,
)


def template_labels():
    """Give templates the translated labels of conditions, states and methods."""
    return {"destruction_batch_statuses": BATCH_STATUSES,
            "reconciliation_statuses": RECONCILIATION_STATUSES,
            "destruction_methods": DESTRUCTION_METHODS}


def seed_demo(session, context, report):
    """Create a depot returns zone, a verified reconciliation, an authorisation and a batch."""
    from app.destruction.demo import seed_destruction

    seed_destruction(session, report)


def _count_certificate(session, user, params):
    from app.destruction.exports import count_certificate

    return count_certificate(session, user, params)


def _build_certificate(session, user, params, path, progress):
    from app.destruction.exports import build_certificate_file

    return build_certificate_file(session, user, params, path, progress)


def _queue(name, label, permission, urgency, what):
    from flask import url_for

    def count(session, user):
        from app.destruction.queries import waiting_count

        return waiting_count(session, user, what)

    return WorkQueue(name, label, permission, count=count, urgency=urgency,
                     url=lambda user: url_for("destruction.index", waiting=what))


WORK_QUEUES = (
    _queue("reconciliations_to_verify", _l("Reconciliations to verify"), "destruction.verify",
           75, "verify"),
    _queue("reconciliations_to_close", _l("Reconciliations with differences to explain"),
           "destruction.reconcile", 45, "explain"),
    _queue("batches_to_witness", _l("Destruction batches to sign as witness"),
           "destruction.witness", 65, "witness"),
    _queue("batches_to_execute", _l("Destruction batches to execute"), "destruction.execute",
           64, "execute"),
)

AUDIT_ACTIONS = {
    "reconciliation_close": _l("Reconciliation closed"),
    "reconciliation_verify": _l("Reconciliation verified by the monitor"),
    "destruction_batch_witness": _l("Destruction batch signed by the witness"),
    "destruction_batch_execute": _l("Destruction batch executed: kits and devices destroyed"),
    "destruction_devices_added": _l("Devices added to the destruction batch"),
    "destruction_certificate_issued": _l("Certificate of destruction issued"),
    "destruction_certificate_sent": _l("Certificate of destruction sent to the sponsor"),
}
AUDIT_FIELDS = {
    **per_type("returns_zone", location_id=_l("Storage zone")),
    **per_type("returned_kit", shipment_id=_l("Shipment"), kit_id=_l("Kit"), site_id=_l("Site"),
               condition=_l("Condition at the site"), units_remaining=_l("Units remaining"),
               scanned_at=_l("Scanned (UTC)"), scanned_by_id=_l("Scanned by"),
               sorted_at=_l("Set aside at the depot (UTC)")),
    **per_type("reconciliation", trial_id=_l("Trial"), site_id=_l("Site"),
               period_start=_l("First day"), period_end=_l("Last day"),
               last_entry_id=_l("Up to ledger line"), figures=_l("Figures"),
               created_at=_l("Drawn up (UTC)"), created_by_id=_l("Drawn up by"),
               closed_at=_l("Closed (UTC)"), verified_at=_l("Verified (UTC)")),
    **per_type("reconciliation_note", reconciliation_id=_l("Reconciliation"),
               key=_l("Difference"), explanation=_l("Explanation"),
               written_at=_l("Written (UTC)"), written_by_id=_l("Written by")),
    **per_type("destruction_authorisation", trial_id=_l("Trial"),
               reference=_l("Sponsor's reference"), signed_on=_l("Signed on"),
               signed_by=_l("Signed at the sponsor by"), sponsor_email=_l("Sponsor e-mail"),
               valid_from=_l("Valid from"), valid_until=_l("Valid until"),
               kit_from=_l("First kit of the range"), kit_to=_l("Last kit of the range"),
               reconciliation_id=_l("Reconciliation"), document_id=_l("Signed document"),
               recorded_at=_l("Recorded (UTC)"), recorded_by_id=_l("Recorded by")),
    **per_type("destruction_batch", number=_l("Batch number"), trial_id=_l("Trial"),
               authorisation_id=_l("Sponsor authorisation"), place_kind=_l("Destroyed"),
               site_id=_l("Site"), method=_l("Method"), contractor=_l("Contractor"),
               contractor_licence=_l("Waste-management licence"), place=_l("Place"),
               destroyed_on=_l("Date of destruction"), weight_kg=_l("Weight (kg)"),
               item_count=_l("Items (kits and devices)"), devices=_l("Devices"),
               site_certificate_id=_l("Hospital's certificate"),
               created_at=_l("Created (UTC)"), created_by_id=_l("Created by"),
               witnessed_at=_l("Witnessed (UTC)"), witness_id=_l("Witness"),
               executed_at=_l("Executed (UTC)"), executed_by_id=_l("Responsible person"),
               certificate_number=_l("Certificate number"),
               certificate_id=_l("Certificate (PDF)"),
               certificate_sha256=_l("Certificate fingerprint (SHA-256)"),
               certificate_sent_at=_l("Certificate sent (UTC)"), recipient=_l("Sent to")),
}
AUDIT_VALUES = {
    ("returned_kit", "condition"): RETURN_CONDITIONS,
    ("reconciliation", "status"): RECONCILIATION_STATUSES,
    ("destruction_batch", "status"): BATCH_STATUSES,
    ("destruction_batch", "place_kind"): BATCH_PLACES,
    ("destruction_batch", "method"): DESTRUCTION_METHODS,
}
RECORD_TYPES = {
    "returns_zone": _l("Returns zone"),
    "returned_kit": _l("Returned kit"),
    "reconciliation": _l("Reconciliation"),
    "reconciliation_note": _l("Explanation of a difference"),
    "destruction_authorisation": _l("Sponsor authorisation to destroy"),
    "destruction_batch": _l("Destruction batch"),
}

# destruction.view: the pages; .return: scan kits going back (site); .manage: returns receipt,
# authorisations, batches; .reconcile: draw up, explain, close; .verify: the monitor's
# signature; .witness / .execute: the two signatures of a batch; .onsite: the hospital's own.
DOMAIN = Domain(
    name="destruction",
    blueprints=((bp, "/destruction"),),
    permissions={
        "admin": {"destruction.view"},
        # Logistics signs return receipts at the depot and destruction batches.
        "logistics": {"destruction.view", "destruction.manage", "destruction.reconcile",
                      "destruction.execute", "destruction.witness", "esign.sign"},
        "site": {"destruction.view", "destruction.return", "destruction.reconcile",
                 "destruction.onsite"},
        "qp": {"destruction.view", "destruction.witness", "destruction.execute"},
        "monitor": {"destruction.view", "destruction.verify"},
    },
    site_scoped=frozenset({"destruction.view", "destruction.return", "destruction.reconcile",
                           "destruction.onsite"}),
    jobs=(JobKind("destruction_certificate", _l("Certificate of destruction (PDF)"),
                  "destruction.view", _count_certificate, _build_certificate,
                  filename="certificate.pdf", content_type="application/pdf"),),
    menu=(MenuEntry(_l("Returns and destruction"), "destruction.index", "destruction.view",
                    order=65),),
    state_machines=("app.destruction.states",),
    kit_rules=("app.destruction.kit_rules",),
    dispositions=("app.destruction.dispositions",),
    demo=seed_demo,
    work_queues=WORK_QUEUES,
    template_labels=template_labels,
    audit_actions=AUDIT_ACTIONS,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
