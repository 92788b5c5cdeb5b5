"""Cell therapy: chain of identity, custody and condition, dry shippers, vein-to-vein."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.celltherapy import bp
from app.celltherapy.models import (
    CONDITIONS,
    HANDOFF_STEPS,
    LEGS,
    ORDER_STATUSES,
    PRODUCT_KINDS,
    QA_STATUSES,
    SHIPPER_ID_KINDS,
    SHIPPER_STATUSES,
)
from app.core.domains import Domain, MenuEntry, WorkQueue


def template_labels():
    """Give templates the translated labels of the order and shipper states."""
    return {"therapy_order_statuses": ORDER_STATUSES, "dry_shipper_statuses": SHIPPER_STATUSES,
            "condition_leg_statuses": QA_STATUSES, "condition_labels": CONDITIONS}


def seed_demo(session, context, report):
    """Give the demo's CAR-T trial orders at several steps and dry shippers."""
    from app.celltherapy.demo import seed_cell_therapy

    seed_cell_therapy(session, context, report)


def order_queue(name, label, permission, statuses, urgency):
    """A work queue that is the order list filtered by step."""
    from flask import url_for

    def count(session, user):
        from sqlalchemy import func, select

        from app.celltherapy.models import TherapyOrder
        from app.celltherapy.queries import visible_orders

        stmt = visible_orders(user, permission).where(TherapyOrder.status.in_(statuses))
        return session.scalar(select(func.count()).select_from(stmt.subquery()))

    return WorkQueue(name, label, permission, count=count,
                     url=lambda user: url_for("celltherapy.list_orders", status=statuses[0]),
                     urgency=urgency)


def excursions_count(session, user):
    from sqlalchemy import func, select

    from app.celltherapy.models import ConditionLeg

    return session.scalar(select(func.count(ConditionLeg.id)).where(
        ConditionLeg.qa_status == "pending"))


def excursions_url(user):
    from flask import url_for

    return url_for("celltherapy.list_orders")


WORK_QUEUES = (
    order_queue("cells_to_receive_at_lab", _l("Cells to receive at the manufacturer"),
                "celltherapy.lab", ("to_lab",), 70),
    order_queue("products_to_receive", _l("Cell-therapy products to receive"),
                "celltherapy.site", ("to_site",), 70),
    order_queue("cells_to_send_to_lab", _l("Collected cells to send to the manufacturer"),
                "celltherapy.site", ("collected",), 68),
    order_queue("out_of_spec_decisions", _l("Out-of-specification products waiting for "
                                            "the hospital's decision"),
                "celltherapy.site", ("out_of_spec",), 72),
    order_queue("cells_to_manufacture", _l("Cells received, manufacture to start"),
                "celltherapy.lab", ("at_lab",), 66),
    order_queue("products_to_release", _l("Products in manufacture, to release by the QP"),
                "celltherapy.release", ("manufacturing",), 55),
    order_queue("products_to_ship_to_site", _l("Released products to send to the hospital"),
                "celltherapy.lab", ("released",), 68),
    WorkQueue("cell_excursions", _l("Cell-therapy excursions waiting for QA"),
              "celltherapy.qa", count=excursions_count, url=excursions_url, urgency=75),
)

AUDIT_FIELDS = {
    "order_id": _l("Therapy order"),
    **per_type(
        "therapy_order", trial_id=_l("Trial"), site_id=_l("Site"), subject_id=_l("Subject"),
        coi=_l("Chain of Identity identifier"), product_kind=_l("Product"),
        collection_number=_l("Collection number"), collection_date=_l("Collection date"),
        manufacturing_slot=_l("Manufacturing slot"), bag_ids=_l("Bag identifiers"),
        volume_ml=_l("Volume (mL)"), cell_count=_l("Cell count"), courier=_l("Courier"),
        logger_ids=_l("Temperature loggers"), coa_file_id=_l("Certificate of analysis"),
        out_of_spec_reason=_l("Out-of-specification result"),
        physician_consent=_l("Consent of the treating physician"),
        shipper_id=_l("Dry shipper"), planned_transit_hours=_l("Planned transit (hours)"),
        infused_by_id=_l("Infused by"), step_at=_l("Step entered (UTC)"),
        scheduled_at=_l("Scheduled (UTC)"), collected_at=_l("Collected (UTC)"),
        to_lab_at=_l("Shipped to the manufacturer (UTC)"),
        at_lab_at=_l("Received at the manufacturer (UTC)"),
        manufacturing_at=_l("Manufacturing started (UTC)"), released_at=_l("Released (UTC)"),
        to_site_at=_l("Shipped to the hospital (UTC)"),
        received_at=_l("Received at the hospital (UTC)"), stored_at=_l("Stored (UTC)"),
        thawed_at=_l("Thawed (UTC)"), infused_at=_l("Infused (UTC)"),
        failed_at=_l("Failed (UTC)"), scanned=_l("Identifier scanned")),
    **per_type(
        "custody_record", step=_l("Handoff"), handed_over_by=_l("Handed over by"),
        received_by=_l("Received by"), recorded_by_id=_l("Recorded by"),
        location=_l("Where"), occurred_at=_l("When (UTC)"), condition=_l("Condition"),
        temperature_c=_l("Temperature read (°C)"),
        bag_scan=_l("Identifier scanned on the bag"),
        document_scan=_l("Identifier scanned on the document")),
    **per_type(
        "condition_leg", leg=_l("Leg"), logger_serial=_l("Logger serial number"),
        stored_file_id=_l("Logger file"), readings=_l("Readings"),
        first_at=_l("First reading (UTC)"), last_at=_l("Last reading (UTC)"),
        min_c=_l("Lowest (°C)"), max_c=_l("Highest (°C)"), limit_c=_l("Limit (°C)"),
        minutes_out=_l("Minutes above the limit"), qa_status=_l("QA decision"),
        qa_by_id=_l("Decided by"), qa_at=_l("Decided (UTC)"), qa_reason=_l("Reason of QA"),
        uploaded_by_id=_l("Uploaded by"), uploaded_at=_l("Uploaded (UTC)")),
    **per_type(
        "dry_shipper", code=_l("GRAI or serial number"), id_kind=_l("Kind of number"),
        model_name=_l("Model"), static_hold_hours=_l("Qualified static hold time (hours)"),
        qualified_until=_l("Qualified until"), charged_at=_l("Charged (UTC)"),
        charge_record=_l("Charging record"), dispatched_at=_l("Dispatched (UTC)"),
        requalified_at=_l("Requalified (UTC)"), retired_at=_l("Retired (UTC)"),
        uses=_l("Uses")),
}
AUDIT_VALUES = {
    ("therapy_order", "status"): ORDER_STATUSES,
    ("therapy_order", "product_kind"): PRODUCT_KINDS,
    ("custody_record", "step"): HANDOFF_STEPS,
    ("custody_record", "condition"): CONDITIONS,
    ("condition_leg", "leg"): LEGS,
    ("condition_leg", "qa_status"): QA_STATUSES,
    ("dry_shipper", "status"): SHIPPER_STATUSES,
    ("dry_shipper", "id_kind"): SHIPPER_ID_KINDS,
}
RECORD_TYPES = {
    "therapy_order": _l("Therapy order"),
    "custody_record": _l("Custody record"),
    "condition_leg": _l("Logger data of a leg"),
    "dry_shipper": _l("Dry shipper"),
}
AUDIT_ACTIONS = {
    "therapy_collect": _l("Cells collected"),
    "therapy_ship_to_lab": _l("Cells shipped to the manufacturer"),
    "therapy_receive_at_lab": _l("Cells received at the manufacturer"),
    "therapy_start_manufacturing": _l("Manufacturing started"),
    "therapy_release": _l("Product released by the QP"),
    "therapy_out_of_spec": _l("Product out of specification"),
    "therapy_release_by_exception": _l("Product released by exception"),
    "therapy_fail": _l("Manufacture failed"),
    "therapy_recollect": _l("Re-collection scheduled"),
    "therapy_ship_to_site": _l("Product shipped to the hospital"),
    "therapy_receive_at_site": _l("Product received at the hospital"),
    "therapy_store": _l("Product stored"),
    "therapy_thaw": _l("Product thawed"),
    "therapy_infuse": _l("Product infused"),
    "coi_mismatch": _l("Identifier mismatch at a handoff"),
    "shipper_charge": _l("Dry shipper charged"),
    "shipper_dispatch": _l("Dry shipper dispatched"),
    "shipper_return": _l("Dry shipper returned"),
    "shipper_requalify": _l("Dry shipper requalified"),
    "shipper_retire": _l("Dry shipper retired"),
}

VIEW = "celltherapy.view"
DOMAIN = Domain(
    name="celltherapy",
    blueprints=((bp, "/cell-therapy"),),
    permissions={
        "admin": {VIEW, "celltherapy.subject", "celltherapy.shippers"},
        "logistics": {VIEW, "celltherapy.subject", "celltherapy.shippers"},
        "site": {VIEW, "celltherapy.subject", "celltherapy.site"},
        "qp": {VIEW, "celltherapy.subject", "celltherapy.qa"},
        "monitor": {VIEW, "celltherapy.subject"},
        # The manufacturing lab sees identifiers only, never the subject or the site.
        "manufacturer": {VIEW, "celltherapy.lab", "celltherapy.release",
                         "celltherapy.shippers", "esign.sign"},
    },
    site_scoped=frozenset({VIEW, "celltherapy.subject", "celltherapy.site"}),
    menu=(
        MenuEntry(_l("Cell therapy"), "celltherapy.index", VIEW, order=75),
        MenuEntry(_l("Dry shippers"), "celltherapy.list_shippers", VIEW, order=76),
    ),
    audit_actions=AUDIT_ACTIONS,
    state_machines=("app.celltherapy.states",),
    demo=seed_demo,
    work_queues=WORK_QUEUES,
    template_labels=template_labels,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
