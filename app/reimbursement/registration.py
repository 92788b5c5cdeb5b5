"""Patient expense reimbursement: portal, claims, validation, approval, SEPA batches."""

from flask_babel import lazy_gettext as _l

from app.core.domains import Domain, MenuEntry
from app.reimbursement import bp, portal_bp


def template_labels():
    """Give templates the translated labels of claim and batch states."""
    from app.reimbursement.models import (
        BATCH_STATUSES,
        CATEGORIES,
        CLAIM_STATUSES,
        DECISIONS,
        KINDS,
        RELATIONS,
    )

    return {"claim_statuses": CLAIM_STATUSES, "claim_categories": CATEGORIES,
            "claim_kinds": KINDS, "line_decisions": DECISIONS, "batch_statuses": BATCH_STATUSES,
            "claimant_relations": RELATIONS}


def seed_demo(session, context, report):
    """Create the demo claims in every state, the policies and a paid batch."""
    from app.reimbursement.demo import seed_reimbursement

    seed_reimbursement(session, context["users"], report)


DOMAIN = Domain(
    name="reimbursement",
    blueprints=((bp, "/reimbursement"), (portal_bp, "/my")),
    permissions={
        "admin": {"reimbursement.totals", "reimbursement.view", "reimbursement.policy"},
        "site": {"reimbursement.totals", "reimbursement.view", "reimbursement.validate",
                 "reimbursement.invite", "reimbursement.enter"},
        "finance": {"reimbursement.totals", "reimbursement.view", "reimbursement.approve",
                    "reimbursement.pay", "reimbursement.bank", "reimbursement.policy"},
        "monitor": {"reimbursement.totals"},
        "patient": {"reimbursement.portal"},
    },
    menu=(
        MenuEntry(_l("My expenses"), "my.claims", "reimbursement.portal", order=90),
        MenuEntry(_l("Expense claims"), "reimbursement.list_claims", "reimbursement.totals",
                  order=100),
        MenuEntry(_l("Payment batches"), "reimbursement.list_batches", "reimbursement.pay",
                  order=110),
    ),
    audit_actions={
        "claim_submitted": _l("Expense claim submitted"),
        "claim_validated": _l("Expense claim validated by the site"),
        "claim_approved": _l("Expense claim approved by finance"),
        "claim_rejected": _l("Expense claim rejected"),
        "claim_in_batch": _l("Expense claim put in a payment batch"),
        "claim_paid": _l("Expense claim paid"),
        "batch_released": _l("Payment batch released"),
        "batch_paid": _l("Payment batch paid"),
        "iban_revealed": _l("Full IBAN shown"),
    },
    state_machines=("app.reimbursement.states",),
    demo=seed_demo,
    template_labels=template_labels,
)
