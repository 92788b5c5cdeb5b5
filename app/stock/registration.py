"""Medication stock: products, lots, kits, the stock ledger, dispensing and accountability."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core.domains import Alert, Domain, HomeChart, JobKind, MenuEntry, WorkQueue
from app.stock import bp
from app.stock.cli import stock_cli
from app.stock.models import (
    EVENTS,
    EXCURSION_SOURCES,
    KIT_STATES,
    LOCATION_KINDS,
    LOT_STATUSES,
    PRODUCT_KINDS,
    REPLACEMENT_REASONS,
    RETURN_CONDITIONS,
)
from app.stock.models.storage import QA_OUTCOMES


def template_labels():
    """Give templates the translated labels of kit states, events and lot statuses."""
    return {"kit_states": KIT_STATES, "stock_events": EVENTS, "lot_statuses": LOT_STATUSES,
            "product_kinds": PRODUCT_KINDS, "location_kinds": LOCATION_KINDS,
            "return_conditions": RETURN_CONDITIONS}


def seed_demo(session, context, report):
    """Create the demo products, lots, kits and stock movements."""
    from app.stock.demo.seed import seed_stock

    seed_stock(session, context["trials"], context["users"], report)


# How the audit trail names the records, fields, values and events of this domain.
AUDIT_ACTIONS = {
    "kit_receipt": _l("Kit received into stock"),
    "kit_transfer_out": _l("Kit sent (transfer out)"),
    "kit_transfer_in": _l("Kit arrived (transfer in)"),
    "kit_dispense": _l("Kit dispensed to a subject"),
    "kit_return": _l("Kit returned by a subject"),
    "kit_adjustment": _l("Kit stock adjusted"),
    "kit_quarantine": _l("Kit put in quarantine"),
    "kit_release": _l("Kit released from quarantine"),
    "kit_damage": _l("Kit recorded as damaged"),
    "kit_loss": _l("Kit recorded as missing"),
    "kit_expiry": _l("Kit recorded as expired"),
    "kit_destruction": _l("Kit destroyed"),
    "lot_register": _l("Lot registered"),
    "lot_release": _l("Lot released"),
    "lot_reject": _l("Lot rejected"),
    "lot_recall": _l("Lot recalled"),
    "lot_hold": _l("Lot put back in quarantine"),
    "lot_expire": _l("Lot recorded as expired"),
    "stock_bulk_load": _l("Large stock data set loaded"),
}
AUDIT_FIELDS = {
    "product_id": _l("Product"),
    "lot_id": _l("Lot"),
    "location_id": _l("Location"),
    "kit_id": _l("Kit"),
    "entry_id": _l("Ledger line"),
    **per_type(
        "product", kind=_l("Kind of product"), strength=_l("Strength"),
        form=_l("Pharmaceutical form"), route=_l("Route"), units_per_kit=_l("Units per kit"),
        storage_min_c=_l("Minimum storage temperature (°C)"),
        storage_max_c=_l("Maximum storage temperature (°C)"), gtin=_l("GTIN-14")),
    **per_type(
        "lot", number=_l("Lot number"), blinded=_l("Blinded lot"),
        manufacturer=_l("Manufacturer"), manufactured_on=_l("Manufactured on"),
        expires_on=_l("Expiry date")),
    **per_type(
        "supply_settings", dns_days=_l("Do not ship (days before expiry)"),
        dnd_days=_l("Do not dispense (days before expiry)")),
    **per_type(
        "location", kind=_l("Kind of location"), parent_id=_l("Depot"),
        storage_note=_l("Storage conditions")),
    **per_type("kit", kit_number=_l("Kit number"), state=_l("State"),
               expires_on=_l("Expiry date")),
    **per_type("resupply_level", minimum=_l("Minimum (trigger)"),
               maximum=_l("Maximum (ship up to)")),
    **per_type("dispensing", dispensed_at=_l("Dispensed (UTC)"),
               dispensed_by_id=_l("Dispensed by")),
    **per_type(
        "kit_return", units_returned=_l("Units returned"), units_missing=_l("Units missing"),
        condition=_l("Condition"), explanation=_l("Explanation"),
        returned_at=_l("Returned (UTC)")),
    # The frozen totals of an accountability review, and the movements counted in them.
    **per_type(
        "accountability_review", last_entry_id=_l("Last ledger line"), totals=_l("Totals"),
        counts=_l("Movements"), on_hand=_l("On hand"), expected_on_hand=_l("Expected balance"),
        units_missing=_l("Units missing on returns"), discrepancies=_l("Discrepancies"),
        loss_on_hand=_l("Lost while on hand"), corrections=_l("Correction"), **EVENTS),
    "kit_type_id": _l("Kit type"),
    **per_type("product", budget_hours=_l("Stability budget (hours)"),
               budget_low_c=_l("Allowed excursion from (°C)"),
               budget_high_c=_l("Allowed excursion up to (°C)"),
               absolute_min_c=_l("Never below (°C)")),
    **per_type("kit", minutes_out=_l("Minutes out of range, whole life"),
               lowest_c=_l("Coldest reading out of range (°C)"),
               highest_c=_l("Warmest reading out of range (°C)")),
    **per_type("dispensing", replaces_id=_l("Replaces dispensing"),
               replacement_reason=_l("Replacement reason"),
               explanation=_l("What happened to the replaced kit"),
               off_window_reason=_l("Reason for dispensing outside the visit window")),
    **per_type("kit_type", code=_l("Code"), name=_l("Name"), products=_l("Products")),
    **per_type("visit_kit_type", visit_id=_l("Visit"), quantity=_l("Kits")),
    **per_type("kit_type_level", minimum=_l("Minimum (trigger)"),
               maximum=_l("Maximum (ship up to)")),
    # A large data set loaded for a trial (flask stock demo-data --large).
    **per_type("trial", kits=_l("Kits"), ledger_lines=_l("Ledger lines")),
}
AUDIT_FIELDS.update({
    **per_type("storage_excursion", site_id=_l("Site"), source=_l("Reported from"),
               started_at=_l("Started (UTC)"), ended_at=_l("Ended (UTC)"),
               minutes_out=_l("Minutes out of range"), min_c=_l("Coldest (°C)"),
               max_c=_l("Warmest (°C)"), low_c=_l("Storage range from (°C)"),
               high_c=_l("Storage range up to (°C)"), comment=_l("What happened"),
               stored_file_id=_l("Logger file"), reading_count=_l("Readings"),
               periods=_l("Periods out of range"), reported_at=_l("Reported (UTC)"),
               reported_by_id=_l("Reported by"), qa_pending=_l("Awaiting QA")),
    **per_type("storage_qa_decision", excursion_id=_l("Storage excursion"),
               decision=_l("Decision"), reason=_l("Reason for the decision"),
               departure_reason=_l("Why QA departs from the proposal"),
               decided_at=_l("Decided (UTC)"), decided_by_id=_l("Decided by")),
})
AUDIT_VALUES = {
    ("kit", "state"): KIT_STATES,
    ("lot", "status"): LOT_STATUSES,
    ("product", "kind"): PRODUCT_KINDS,
    ("location", "kind"): LOCATION_KINDS,
    ("kit_return", "condition"): RETURN_CONDITIONS,
    ("dispensing", "replacement_reason"): REPLACEMENT_REASONS,
    ("storage_excursion", "source"): EXCURSION_SOURCES,
    ("storage_qa_decision", "decision"): QA_OUTCOMES,
}
RECORD_TYPES = {
    "product": _l("Product"),
    "lot": _l("Lot"),
    "supply_settings": _l("Supply settings"),
    "location": _l("Location"),
    "kit": _l("Kit"),
    "resupply_level": _l("Resupply levels of a site"),
    "kit_type": _l("Kit type"),
    "visit_kit_type": _l("Kits of a visit"),
    "kit_type_level": _l("Resupply levels of a site for a kit type"),
    "dispensing": _l("Dispensing"),
    "kit_return": _l("Kit return"),
    "accountability_review": _l("Drug accountability log"),
    "storage_excursion": _l("Storage excursion"),
    "storage_qa_decision": _l("QA decision on a storage excursion"),
}

# stock.view: depot stock, products, lots, kits, reports; stock.sites: site stock (site users:
# their own sites); lots.composition: which lots a blinded lot is made of.
def compose_kits_crossing(item):
    """Subject and body of the expiry alert, in the recipient's language."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    what = {"dns": _("their do-not-ship date"), "dnd": _("their do-not-dispense date"),
            "expiry": _("their expiry date")}[p["threshold"]]
    subject = _("%(count)s kits at %(place)s reach %(what)s on %(date)s",
                count=p["count"], place=p["place"], what=what, date=format_date(p["on"]))
    body = _("Lot %(lot)s: %(count)s kits at %(place)s reach %(what)s on %(date)s. "
             "Plan their use, transfer or return before then.",
             lot=p["lot"], count=p["count"], place=p["place"], what=what,
             date=format_date(p["on"]))
    return subject, body


def find_kits_crossing(session, today, days):
    """Kits crossing DNS, DND or expiry within days (see queries.kits_crossing)."""
    from app.stock.queries import kits_crossing

    return kits_crossing(session, today, days)


# Daily: logistics hears of every place, site staff of their own sites.
ALERTS = (
    Alert("kit_expiry", _l("Kits reaching DNS, DND or expiry"), roles=("logistics", "site"),
          find=find_kits_crossing, compose=compose_kits_crossing, days=14),
)

def review_queue(name, label, permission, waiting, urgency):
    """A work queue that is the accountability log list filtered by what the logs wait for."""
    from flask import url_for

    def count(session, user):
        from app.stock.queries import reviews_waiting_count

        return reviews_waiting_count(session, user, waiting)

    return WorkQueue(name, label, permission, count=count,
                     url=lambda user: url_for("stock.list_reviews", waiting=waiting),
                     urgency=urgency)


def storage_queue_count(session, user):
    """Storage excursions whose kits wait for the user's QA decision."""
    from app.stock.queries import storage_excursions_waiting

    return storage_excursions_waiting(session, user)


def storage_queue_url(user):
    from flask import url_for

    return url_for("stock.list_storage_excursions", waiting="qa")


WORK_QUEUES = (
    WorkQueue("storage_excursions", _l("Storage excursions awaiting your QA decision"),
              "stock.qa", count=storage_queue_count, url=storage_queue_url, urgency=94),
    review_queue("logs_to_sign", _l("Accountability logs to sign"), "accountability.sign",
                 "sign", 50),
    review_queue("logs_to_verify", _l("Accountability logs to verify"),
                 "accountability.verify", "verify", 50),
)


def expiry_chart_data(session, user):
    """Depot kits on hand by expiry month."""
    from app.stock.queries import depot_expiry_chart

    return depot_expiry_chart(session, user)


def depot_url(user):
    from flask import url_for

    return url_for("stock.depot_stock")


HOME_CHARTS = (
    HomeChart("depot_expiry", _l("Depot stock by expiry month"), "stock.manage",
              data=expiry_chart_data, url=depot_url),
)

def _count_accountability(session, user, params):
    from app.stock.exports import count_accountability

    return count_accountability(session, user, params)


def _build_accountability(session, user, params, path, progress):
    from app.stock.exports import build_accountability

    return build_accountability(session, user, params, path, progress)


DOMAIN = Domain(
    name="stock",
    blueprints=((bp, "/stock"),),
    permissions={
        "admin": {"stock.view", "stock.sites"},
        "logistics": {"stock.view", "stock.sites", "stock.manage", "kits.upload",
                      "accountability.view"},
        "site": {"stock.sites", "stock.dispense", "accountability.view", "accountability.sign",
                 "stock.storage"},
        "unblinded": {"stock.view", "stock.sites", "lots.composition", "kits.upload"},
        "qp": {"stock.view", "stock.sites", "stock.qa"},
        "monitor": {"stock.sites", "accountability.view", "accountability.verify"},
    },
    site_scoped=frozenset({"stock.sites", "stock.dispense", "accountability.view",
                           "accountability.sign", "stock.storage"}),
    jobs=(JobKind("accountability_log", _l("Drug accountability log (Excel)"),
                  "accountability.view", _count_accountability, _build_accountability,
                  filename="accountability.xlsx"),),
    menu=(
        MenuEntry(_l("Depot stock"), "stock.depot_stock", "stock.view", order=40),
        MenuEntry(_l("Site stock"), "stock.site_stock", "stock.sites", order=50),
        MenuEntry(_l("Storage excursions"), "stock.list_storage_excursions", "stock.sites",
                  order=52),
    ),
    state_machines=("app.stock.states",),
    kit_rules=("app.stock.kit_rules",),
    demo=seed_demo,
    alerts=ALERTS,
    work_queues=WORK_QUEUES,
    home_charts=HOME_CHARTS,
    commands=(stock_cli,),
    template_labels=template_labels,
    audit_actions=AUDIT_ACTIONS,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
