"""Import, QP certification, release per country, label templates, runs and relabelling."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core.domains import Domain, JobKind, MenuEntry, WorkQueue
from app.labelling import bp
from app.labelling.models import (
    CAMPAIGN_STATUSES,
    COUNTRY_NAMES,
    DOCUMENT_KINDS,
    LANGUAGES,
    LAYOUTS,
    PACKAGINGS,
    PLACES,
    RUN_SCOPES,
    RUN_STATUSES,
    TEMPLATE_STATUSES,
)


def kit_label_prints(kit):
    """Return the labels printed for a kit (the stock kit page shows them)."""
    from app.extensions import db
    from app.labelling.services.runs import labels_of_kit

    return labels_of_kit(db.session, kit)


def template_labels():
    """Give templates the translated labels of the labelling domain."""
    return {"kit_label_prints": kit_label_prints, "packagings": PACKAGINGS,
            "label_languages": LANGUAGES, "layouts": LAYOUTS,
            "run_statuses": RUN_STATUSES, "run_scopes": RUN_SCOPES,
            "template_statuses": TEMPLATE_STATUSES, "document_kinds": DOCUMENT_KINDS,
            "country_names": COUNTRY_NAMES, "campaign_statuses": CAMPAIGN_STATUSES,
            "relabel_places": PLACES}


def seed_demo(session, context, report):
    """Create an imported lot certified and released for Spain, templates and a run."""
    from app.labelling.demo import seed_labelling

    seed_labelling(session, report)


def _count_run(session, user, params):
    from app.labelling.services.runs import run_count

    return run_count(session, user, params)


def _build_run(session, user, params, path, progress):
    from app.labelling.services.runs import build_run

    return build_run(session, user, params, path, progress)


def _count_run_list(session, user, params):
    from app.labelling.exports import count_run_list

    return count_run_list(session, user, params)


def _build_run_list(session, user, params, path, progress):
    from app.labelling.exports import build_run_list

    return build_run_list(session, user, params, path, progress)


def _queue(name, label, permission, count, endpoint, urgency, **args):
    from flask import url_for

    def counter(session, user):
        from app.labelling import queries

        return getattr(queries, count)(session)

    return WorkQueue(name, label, permission, count=counter,
                     url=lambda user: url_for(endpoint, **args), urgency=urgency)


WORK_QUEUES = (
    _queue("lots_to_certify", _l("Imported lots waiting for QP certification"),
           "labelling.certify", "count_lots_to_certify", "labelling.list_imports", 75,
           waiting="certify"),
    _queue("lots_to_release", _l("Certified lots waiting for a country release"),
           "labelling.release", "count_lots_to_release", "labelling.list_imports", 74,
           waiting="release"),
    _queue("templates_to_approve", _l("Label templates waiting for QA approval"),
           "labelling.approve", "count_templates_to_approve", "labelling.list_templates", 73,
           status="draft"),
    _queue("runs_to_reconcile", _l("Label runs waiting for reconciliation"),
           "labelling.print", "count_runs_to_reconcile", "labelling.list_runs", 45,
           status="printed"),
)

AUDIT_ACTIONS = {
    "lot_certify": _l("Lot certified by the QP"),
    "label_template_draft": _l("Label template written"),
    "label_run_request": _l("Labels requested"),
    "relabel_campaign_open": _l("Relabel campaign opened"),
    "label_template_approve": _l("Label template approved"),
    "label_template_retire": _l("Label template retired"),
    "label_run_print": _l("Labels printed"),
    "label_run_close": _l("Label run reconciled and closed"),
    "relabel_campaign_close": _l("Relabel campaign closed"),
}
_PARTICULARS = {f"particular_{letter}": _l("Particular (%(letter)s)", letter=letter)
                for letter in "abcdefghijkl"}
AUDIT_FIELDS = {
    **per_type(
        "import_record", reference=_l("Import reference"), trial_id=_l("Trial"),
        origin_country=_l("Country of origin"), supplier=_l("Supplier"),
        manufacturer=_l("Manufacturer"), received_on=_l("Arrived on"),
        arrival_temperature_c=_l("Temperature on arrival (°C)"),
        customs_document=_l("Customs document (DUA)"),
        customs_cleared_on=_l("Cleared by customs on"), recorded_by_id=_l("Recorded by"),
        lots=_l("Lots")),
    **per_type("import_document", import_id=_l("Import"), kind=_l("Document"),
               file_id=_l("File"), added_at=_l("Added (UTC)")),
    **per_type("qp_certification", lot_id=_l("Lot"), certified_by_id=_l("Certified by"),
               certified_at=_l("Certified (UTC)"), comment=_l("Comment")),
    **per_type("country_release", lot_id=_l("Lot"), country=_l("Country"),
               authorised_by=_l("Authorised by (sponsor)"), reference=_l("Release reference"),
               released_on=_l("Released on"), document_id=_l("Release document"),
               recorded_by_id=_l("Recorded by"), recorded_at=_l("Recorded (UTC)")),
    **per_type("label_template", trial_id=_l("Trial"), product_id=_l("Product"),
               name=_l("Template name"), version=_l("Version"), packaging=_l("Packaging"),
               language=_l("Language"), width_mm=_l("Width (mm)"),
               height_mm=_l("Height (mm)"), font_size=_l("Font size (pt)"),
               approved_at=_l("Approved (UTC)"), **_PARTICULARS),
    **per_type("label_run", trial_id=_l("Trial"), template_id=_l("Label template"),
               scope=_l("Kits"), lot_id=_l("Lot"), first_kit=_l("First kit"),
               last_kit=_l("Last kit"), campaign_id=_l("Relabel campaign"),
               shipment_id=_l("Shipment"),
               layout=_l("Layout"), job_id=_l("Background job"), kit_count=_l("Kits"),
               printed=_l("Printed"), applied=_l("Applied"), spoiled=_l("Spoiled"),
               destroyed=_l("Destroyed"), discrepancy_reason=_l("Reason for the difference"),
               requested_by_id=_l("Requested by"), printed_at=_l("Printed (UTC)"),
               closed_at=_l("Closed (UTC)")),
    **per_type("expiry_extension", lot_id=_l("Lot"), old_expiry=_l("Previous expiry"),
               new_expiry=_l("New expiry"), justification=_l("Justification"),
               stability_reference=_l("Stability data reference"),
               recorded_by_id=_l("Recorded by"), closed_at=_l("Closed (UTC)")),
    **per_type("relabelled_kit", campaign_id=_l("Relabel campaign"), kit_id=_l("Kit"),
               place=_l("Where"), location_id=_l("Location"),
               relabelled_by_id=_l("Relabelled by"), relabelled_at=_l("Relabelled (UTC)")),
}
AUDIT_VALUES = {
    ("import_document", "kind"): DOCUMENT_KINDS,
    ("label_template", "packaging"): PACKAGINGS,
    ("label_template", "language"): LANGUAGES,
    ("label_template", "status"): TEMPLATE_STATUSES,
    ("label_run", "scope"): RUN_SCOPES,
    ("label_run", "layout"): LAYOUTS,
    ("label_run", "status"): RUN_STATUSES,
    ("expiry_extension", "status"): CAMPAIGN_STATUSES,
    ("relabelled_kit", "place"): PLACES,
}
RECORD_TYPES = {
    "import_record": _l("Import"),
    "import_document": _l("Import document"),
    "qp_certification": _l("QP certification"),
    "country_release": _l("Release for a country"),
    "label_template": _l("Label template"),
    "label_run": _l("Label run"),
    "expiry_extension": _l("Expiry extension (relabel campaign)"),
    "relabelled_kit": _l("Relabelled kit"),
}

# labelling.view: imports, lots' release, templates, runs; labelling.manage: imports, templates,
# campaigns; labelling.certify: QP certification; labelling.release: release per country;
# labelling.approve: QA approval of templates; labelling.print: label runs;
# labelling.extend: new expiry; labelling.relabel: record a kit relabelled (site: own sites).
DOMAIN = Domain(
    name="labelling",
    blueprints=((bp, "/labelling"),),
    permissions={
        "admin": {"labelling.view"},
        "logistics": {"labelling.view", "labelling.manage", "labelling.print",
                      "labelling.relabel"},
        "qp": {"labelling.view", "labelling.certify", "labelling.release",
               "labelling.approve", "labelling.extend", "labelling.manage"},
        "site": {"labelling.relabel"},
        "monitor": {"labelling.view"},
    },
    site_scoped=frozenset({"labelling.relabel"}),
    jobs=(JobKind("label_run", _l("Labels (PDF)"), "labelling.print", _count_run,
                  _build_run, filename="labels.pdf", content_type="application/pdf"),
          JobKind("label_run_list", _l("Labels printed in a run (Excel)"), "labelling.view",
                  _count_run_list, _build_run_list, filename="labels-printed.xlsx")),
    menu=(MenuEntry(_l("Labelling"), "labelling.list_imports", "labelling.view", order=65),),
    state_machines=("app.labelling.states",),
    kit_rules=("app.labelling.kit_rules",),
    demo=seed_demo,
    work_queues=WORK_QUEUES,
    template_labels=template_labels,
    audit_actions=AUDIT_ACTIONS,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
