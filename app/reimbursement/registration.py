"""Patient expense reimbursement: portal, claims, validation, approval, SEPA batches."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core.domains import Alert, Domain, HomeChart, JobKind, MenuEntry, WorkQueue
from app.core.templating import money
from app.reimbursement import bp, portal_bp
from app.reimbursement.models import (
    BATCH_STATUSES,
    CATEGORIES,
    CLAIM_STATUSES,
    DECISIONS,
    KINDS,
    RELATIONS,
)


def template_labels():
    """Give templates the translated labels of claim and batch states."""
    return {"claim_statuses": CLAIM_STATUSES, "claim_categories": CATEGORIES,
            "claim_kinds": KINDS, "line_decisions": DECISIONS, "batch_statuses": BATCH_STATUSES,
            "claimant_relations": RELATIONS}


def seed_demo(session, context, report):
    """Create the demo claims in every state, the policies and a paid batch."""
    from app.reimbursement.demo import seed_reimbursement

    seed_reimbursement(session, context["users"], report)


# How the audit trail names the records, fields and values of this domain.
AUDIT_FIELDS = {
    "claim_id": _l("Expense claim"),
    "batch_id": _l("Payment batch"),
    "policy_id": _l("Reimbursement policy"),
    "line_id": _l("Expense"),
    "iban_encrypted": _l("IBAN"),
    "iban_last4": _l("Last four digits of the IBAN"),
    "bic": _l("BIC"),
    **per_type("patient_link", user_id=_l("Portal account"), relation=_l("Relation"),
               invited_by_id=_l("Invited by")),
    **per_type(
        "bank_account", user_id=_l("Account of"), holder_name=_l("Account holder"),
        iban_country=_l("Country of the IBAN"),
        holder_is_payee=_l("Account in the payee's name"),
        authorisation_file_id=_l("Authorisation of the account holder")),
    **per_type("batch_item", amount=_l("Amount"), payee_name=_l("Payee"),
               attempt=_l("Earlier cancelled batches of the claim")),
    **per_type(
        "claim", claimant_id=_l("Claimant"), stay_start=_l("First day of the stay"),
        stay_end=_l("Last day of the stay"), entered_by_id=_l("Entered by"),
        on_behalf=_l("Entered by the site"), creation_token=_l("Form token"),
        declaration_accepted=_l("Declaration"), submitted_at=_l("Submitted (UTC)"),
        submitted_by_id=_l("Submitted by"), validated_at=_l("Validated (UTC)"),
        validated_by_id=_l("Validated by"), approved_at=_l("Approved (UTC)"),
        approved_by_id=_l("Approved by"), paid_at=_l("Paid (UTC)"),
        total_claimed=_l("Total claimed"), total_approved=_l("Total approved"),
        batch=_l("Payment batch")),
    **per_type(
        "claim_line", category=_l("Category"), kind=_l("Paid as"),
        line_date=_l("Date of the expense"), quantity=_l("Kilometres, days or nights"),
        amount=_l("Amount"), site_decision=_l("Decision of the site"),
        site_amount=_l("Amount validated by the site"),
        site_reason=_l("Reason given by the site"), finance_decision=_l("Decision of finance"),
        approved_amount=_l("Amount approved by finance"),
        finance_reason=_l("Reason given by finance"), receipt_requested=_l("Receipt requested"),
        receipt_request_note=_l("Message to the patient")),
    **per_type(
        "receipt", file_id=_l("File"), original_sha256=_l("Fingerprint of the original"),
        after_submission=_l("Added after the claim was sent")),
    **per_type(
        "reimbursement_policy", mileage_rate=_l("Mileage rate (EUR per km)"),
        max_km_per_trip=_l("Most kilometres for one trip"),
        cap_per_line=_l("Cap per expense (EUR)"), cap_per_visit=_l("Cap per visit (EUR)"),
        cap_per_month=_l("Cap per month (EUR)"), per_diem_amount=_l("Per diem (EUR per day)"),
        per_night_amount=_l("Lodging (EUR per night)"),
        days_from_visit=_l("Days an expense may be from its visit")),
    **per_type(
        "policy_category", category=_l("Category"), position=_l("Position in the list"),
        allowed=_l("Allowed"), kind=_l("Paid as"), receipt_required=_l("Receipt required"),
        receipt_above=_l("Receipt needed above (EUR)")),
    **per_type(
        "payment_batch", message_id=_l("Message id"), execution_date=_l("Execution date"),
        total=_l("Total"), count=_l("Number of claims"), released_by_id=_l("Released by"),
        released_at=_l("Released (UTC)"), paid_by_id=_l("Marked paid by"),
        paid_at=_l("Paid (UTC)"), value_date=_l("Value date on the bank statement"),
        bank_reference=_l("Bank reference"), cancelled_by_id=_l("Cancelled by"),
        cancelled_at=_l("Cancelled (UTC)"), cancel_reason=_l("Reason for the cancellation")),
}
MONEY_FIELDS = {
    "claim": ("total_claimed", "total_approved"),
    "claim_line": ("amount", "site_amount", "approved_amount"),
    "batch_item": ("amount",),
    "payment_batch": ("total",),
    "policy_category": ("receipt_above",),
    "reimbursement_policy": ("mileage_rate", "cap_per_line", "cap_per_visit", "cap_per_month",
                             "per_diem_amount", "per_night_amount"),
}
AUDIT_VALUES = {
    ("claim", "status"): CLAIM_STATUSES,
    ("payment_batch", "status"): BATCH_STATUSES,
    ("claim_line", "category"): CATEGORIES,
    ("claim_line", "kind"): KINDS,
    ("claim_line", "site_decision"): DECISIONS,
    ("claim_line", "finance_decision"): DECISIONS,
    ("policy_category", "category"): CATEGORIES,
    ("policy_category", "kind"): KINDS,
    ("patient_link", "relation"): RELATIONS,
    **{(record, field): money for record, fields in MONEY_FIELDS.items() for field in fields},
}
RECORD_TYPES = {
    "patient_link": _l("Portal account of a subject"),
    "bank_account": _l("Bank details"),
    "reimbursement_policy": _l("Reimbursement policy"),
    "policy_category": _l("Expense category of a policy"),
    "claim": _l("Expense claim"),
    "claim_line": _l("Expense"),
    "receipt": _l("Receipt of an expense"),
    "payment_batch": _l("Payment batch"),
    "batch_item": _l("Claim in a payment batch"),
}

def compose_validation_waiting(item):
    """Subject and body of the waiting-for-validation alert, in the recipient's language."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    return (_("Claim %(reference)s waits for validation", reference=p["reference"]),
            _("Claim %(reference)s was submitted on %(date)s and has not been validated yet.",
              reference=p["reference"], date=format_date(p["since"])))


def compose_approval_waiting(item):
    """Subject and body of the waiting-for-approval alert, in the recipient's language."""
    from flask_babel import format_date
    from flask_babel import gettext as _

    p = item.params
    return (_("Claim %(reference)s waits for approval", reference=p["reference"]),
            _("Claim %(reference)s was validated by the site on %(date)s and has not been "
              "approved yet.", reference=p["reference"], date=format_date(p["since"])))


def find_validation_waiting(session, today, days):
    """Claims submitted more than days ago and not validated."""
    from app.reimbursement.queries import validation_waiting

    return validation_waiting(session, today, days)


def find_approval_waiting(session, today, days):
    """Claims validated more than days ago and not approved."""
    from app.reimbursement.queries import approval_waiting

    return approval_waiting(session, today, days)


# Daily: the claim's site hears of claims waiting for validation, finance of approvals.
ALERTS = (
    Alert("claim_validation_waiting", _l("Claims waiting for validation"), roles=("site",),
          find=find_validation_waiting, compose=compose_validation_waiting, days=7),
    Alert("claim_approval_waiting", _l("Claims waiting for approval"), roles=("finance",),
          find=find_approval_waiting, compose=compose_approval_waiting, days=7),
)

def claim_queue(name, label, permission, status, endpoint, urgency, url_args=None):
    """A work queue that is a claim list (the validation or approval queue, or the list
    filtered by ``url_args``)."""
    from flask import url_for

    def count(session, user):
        from app.reimbursement.queries import claims_in_state

        return claims_in_state(session, user, status)

    return WorkQueue(name, label, permission, count=count,
                     url=lambda user: url_for(endpoint, **(url_args or {})),
                     urgency=urgency)


def batch_queue(name, label, status, urgency):
    """A work queue that is the batch list filtered by state."""
    from flask import url_for

    def count(session, user):
        from app.reimbursement.queries import batches_in_state

        return batches_in_state(session, user, status)

    return WorkQueue(name, label, "reimbursement.pay", count=count,
                     url=lambda user: url_for("reimbursement.list_batches", status=status),
                     urgency=urgency)


WORK_QUEUES = (
    claim_queue("claims_to_validate", _l("Expense claims to validate"),
                "reimbursement.validate", "submitted", "reimbursement.validation_queue", 65),
    claim_queue("claims_to_approve", _l("Expense claims to approve"), "reimbursement.approve",
                "validated", "reimbursement.approval_queue", 65),
    claim_queue("claims_to_pay", _l("Approved claims waiting for a payment batch"),
                "reimbursement.pay", "approved", "reimbursement.list_claims", 58,
                url_args={"status": "approved"}),
    batch_queue("batches_to_release", _l("Payment batches to release"), "draft", 60),
    batch_queue("batches_to_mark_paid", _l("Payment batches to mark paid"), "released", 55),
)


def claims_chart(session, user):
    """Claims by state and month of submission (the last twelve months)."""
    from app.reimbursement.queries import claims_by_month

    return claims_by_month(session, user)


def claims_url(user):
    from flask import url_for

    return url_for("reimbursement.list_claims")


HOME_CHARTS = (
    HomeChart("claims_by_month", _l("Expense claims by state and month of submission"),
              "reimbursement.approve", data=claims_chart, url=claims_url),
)

def _count_claims(session, user, params):
    from app.reimbursement.exports import count_claims

    return count_claims(session, user, params)


def _build_claims(session, user, params, path, progress):
    from app.reimbursement.exports import build_claims

    return build_claims(session, user, params, path, progress)


def _count_batch(session, user, params):
    from app.reimbursement.exports import count_batch

    return count_batch(session, user, params)


def _build_batch(session, user, params, path, progress):
    from app.reimbursement.exports import build_batch

    return build_batch(session, user, params, path, progress)


def _count_sepa(session, user, params):
    from app.reimbursement.exports import count_sepa

    return count_sepa(session, user, params)


def _build_sepa(session, user, params, path, progress):
    from app.reimbursement.exports import build_sepa

    return build_sepa(session, user, params, path, progress)


def _build_batch_pdf(session, user, params, path, progress):
    from app.reimbursement.exports import build_batch_pdf

    return build_batch_pdf(session, user, params, path, progress)


def _batch_pdf_name(session, params):
    from app.reimbursement.exports import batch_pdf_name

    return batch_pdf_name(session, params)


def _sepa_file_name(session, params):
    from app.reimbursement.exports import sepa_file_name

    return sepa_file_name(session, params)


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
    site_scoped=frozenset({"reimbursement.totals", "reimbursement.view",
                           "reimbursement.validate", "reimbursement.invite",
                           "reimbursement.enter"}),
    jobs=(JobKind("claims", _l("Expense claims (Excel)"), "reimbursement.view", _count_claims,
                  _build_claims, filename="expense-claims.xlsx"),
          JobKind("payment_batch", _l("Payment batch detail (Excel)"), "reimbursement.pay",
                  _count_batch, _build_batch, filename="payment-batch.xlsx"),
          JobKind("payment_batch_pdf", _l("Payment batch summary (PDF)"), "reimbursement.pay",
                  _count_batch, _build_batch_pdf, filename=_batch_pdf_name,
                  content_type="application/pdf"),
          JobKind("sepa_file", _l("SEPA credit transfer file (XML)"), "reimbursement.pay",
                  _count_sepa, _build_sepa, filename=_sepa_file_name,
                  content_type="application/xml")),
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
        "batch_cancelled": _l("Payment batch cancelled"),
        "claim_out_of_batch": _l("Expense claim back from a cancelled payment batch"),
        "iban_revealed": _l("Full IBAN shown"),
    },
    state_machines=("app.reimbursement.states",),
    demo=seed_demo,
    alerts=ALERTS,
    work_queues=WORK_QUEUES,
    home_charts=HOME_CHARTS,
    template_labels=template_labels,
    audit_fields=AUDIT_FIELDS,
    audit_values=AUDIT_VALUES,
    record_types=RECORD_TYPES,
)
