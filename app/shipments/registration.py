"""Shipments and the cold chain: orders, picking, dispatch, logger data, receipt."""

from flask_babel import lazy_gettext as _l

from app.core.domains import Domain, MenuEntry
from app.shipments import bp


def template_labels():
    """Give templates the translated labels of shipment kinds, states and outcomes."""
    from app.shipments.models import (
        DISCREPANCY_STATUSES,
        QA_OUTCOMES,
        RECEIPT_OUTCOMES,
        SHIPMENT_KINDS,
        SHIPMENT_STATUSES,
    )

    return {"shipment_kinds": SHIPMENT_KINDS, "shipment_statuses": SHIPMENT_STATUSES,
            "receipt_outcomes": RECEIPT_OUTCOMES, "qa_outcomes": QA_OUTCOMES,
            "discrepancy_statuses": DISCREPANCY_STATUSES}


def seed_demo(session, context, report):
    """Create the demo shipments in every state."""
    from app.shipments.demo import seed_shipments

    seed_shipments(session, report)


# shipments.view: the board and shipment pages (site users: their own sites); shipments.manage:
# order, pick, pack, dispatch, resolve; shipments.receive: sign receipts at the destination;
# shipments.logger: upload logger files; shipments.decide: QA release or rejection.
DOMAIN = Domain(
    name="shipments",
    blueprints=((bp, "/shipments"),),
    permissions={
        "admin": {"shipments.view"},
        "logistics": {"shipments.view", "shipments.manage", "shipments.receive",
                      "shipments.logger"},
        "site": {"shipments.view", "shipments.receive", "shipments.logger"},
        "qp": {"shipments.view", "shipments.decide"},
        "monitor": {"shipments.view"},
    },
    menu=(MenuEntry(_l("Shipments"), "shipments.board", "shipments.view", order=60),),
    state_machines=("app.shipments.states",),
    demo=seed_demo,
    template_labels=template_labels,
)
