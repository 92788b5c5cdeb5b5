"""Medication stock: products, lots, kits, the stock ledger, dispensing and accountability."""

from flask_babel import lazy_gettext as _l

from app.core.domains import Domain, MenuEntry
from app.stock import bp
from app.stock.cli import stock_cli


def template_labels():
    """Give templates the translated labels of kit states, events and lot statuses."""
    from app.stock.models import (
        EVENTS,
        KIT_STATES,
        LOCATION_KINDS,
        LOT_STATUSES,
        PRODUCT_KINDS,
        RETURN_CONDITIONS,
    )

    return {"kit_states": KIT_STATES, "stock_events": EVENTS, "lot_statuses": LOT_STATUSES,
            "product_kinds": PRODUCT_KINDS, "location_kinds": LOCATION_KINDS,
            "return_conditions": RETURN_CONDITIONS}


def seed_demo(session, context, report):
    """Create the demo products, lots, kits and stock movements."""
    from app.stock.demo.seed import seed_stock

    seed_stock(session, context["trials"], context["users"], report)


# stock.view: depot stock, products, lots, kits, reports; stock.sites: site stock (site users:
# their own sites); kits.arms: the treatment arm of kits.
DOMAIN = Domain(
    name="stock",
    blueprints=((bp, "/stock"),),
    permissions={
        "admin": {"stock.view", "stock.sites"},
        "logistics": {"stock.view", "stock.sites", "stock.manage", "kits.upload",
                      "accountability.view"},
        "site": {"stock.sites", "stock.dispense", "accountability.view", "accountability.sign"},
        "unblinded": {"stock.view", "stock.sites", "kits.arms", "kits.upload"},
        "qp": {"stock.view", "stock.sites"},
        "monitor": {"stock.sites", "accountability.view", "accountability.verify"},
    },
    menu=(
        MenuEntry(_l("Depot stock"), "stock.depot_stock", "stock.view", order=40),
        MenuEntry(_l("Site stock"), "stock.site_stock", "stock.sites", order=50),
    ),
    audit_actions={
        "lot_release": _l("Lot released"), "lot_reject": _l("Lot rejected"),
        "lot_recall": _l("Lot recalled"), "lot_hold": _l("Lot put back in quarantine"),
        "lot_expire": _l("Lot recorded as expired"),
    },
    state_machines=("app.stock.states",),
    demo=seed_demo,
    commands=(stock_cli,),
    template_labels=template_labels,
)
