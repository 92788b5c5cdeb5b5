"""Writing a draft claim: the screens the patient portal and staff entry on behalf share."""

import uuid
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.actions import first_form_error, perform
from app.exports.pdf import pdf_response
from app.extensions import db
from app.files.services import send_stored_file
from app.reimbursement.exports import claim_sheet_pdf
from app.reimbursement.forms import LineForm, ReceiptForm, SubmitClaimForm
from app.reimbursement.models import ClaimLine
from app.reimbursement.queries import receipt_of_claim
from app.reimbursement.services.drafting import (
    add_line,
    attach_receipt,
    is_editable,
    open_claim,
    remove_line,
    submit_claim,
)
from app.reimbursement.services.flags import FLAG_LABELS
from app.reimbursement.services.policy import plain_language, policy_or_default
from app.trials.api import TrialVisit


def claim_urls(blueprint, claim):
    """Return the addresses a claim page links and posts to, in the portal or back office."""
    def to(endpoint, **ids):
        return url_for(f"{blueprint}.{endpoint}", claim_id=claim.id, **ids)

    return {"line": to("add_line"), "submit": to("submit"), "sheet": to("sheet"),
            "delete": lambda line: to("delete_line", line_id=line.id),
            "receipt": lambda line: to("add_receipt", line_id=line.id),
            "view_receipt": lambda r: to("receipt", receipt_id=r.id)}


def send_receipt(claim, receipt_id):
    """Answer with a receipt of the claim (the caller has checked the claim is visible)."""
    item = receipt_of_claim(db.session, claim, receipt_id)
    if item is None:
        abort(404)
    return send_stored_file(item.file, as_attachment=True)


def sheet_response(claim):
    """Answer with the claim's Expense Reimbursement Sheet."""
    return pdf_response(f"{claim.reference}.pdf", claim_sheet_pdf(db.session, claim))


def line_form(claim, formdata=None):
    """Return the line form offering the policy's allowed categories."""
    policy = policy_or_default(db.session, claim.subject.trial)
    allowed = [r.category for r in policy.categories if r.allowed]
    form = LineForm(formdata=formdata, categories=allowed)
    return form, policy


def new_token():
    """Return a fresh idempotency token for a new-claim form."""
    return uuid.uuid4().hex


def visit_choices(subject):
    """Return the active visits of the subject's trial as (id, label) choices, with dates."""
    visits = db.session.scalars(select(TrialVisit).where(
        TrialVisit.trial_id == subject.trial_id, TrialVisit.active.is_(True))
        .order_by(TrialVisit.number)).all()
    start = subject.enrolment_date

    def label(visit):
        text = f"V{visit.number} · {visit.name}"
        if start is None:
            return text
        return text + " · " + format_date(start + timedelta(days=visit.day_offset))

    return [(v.id, label(v)) for v in visits]


def open_from_form(form, subject, claimant, entered_by):
    """Open the draft the new-claim form describes (shared with staff entry on behalf)."""
    visit = db.session.get(TrialVisit, form.visit_id.data) if form.visit_id.data else None
    return open_claim(db.session, subject=subject, claimant=claimant, entered_by=entered_by,
                      period=form.period.data, visit=visit, stay_start=form.stay_start.data,
                      stay_end=form.stay_end.data, creation_token=form.creation_token.data)


def render_claim(template, claim, *, line=None, submit=None, receipt_forms=None, **extra):
    """Render a claim page with its draft forms and the policy in plain language."""
    form, policy = line_form(claim) if line is None else (line, policy_or_default(
        db.session, claim.subject.trial))
    receipt_forms = receipt_forms or {}
    for item in claim.lines:
        receipt_forms.setdefault(item.id, ReceiptForm(formdata=None, prefix=f"r{item.id}"))
    return render_template(template, claim=claim, line_form=form,
                           submit_form=submit or SubmitClaimForm(formdata=None),
                           receipt_forms=receipt_forms, policy=policy,
                           policy_text=plain_language(policy), flag_labels=FLAG_LABELS,
                           **extra)


def _already_sent(back):
    flash(_("This claim has been submitted and can no longer be changed."), "warning")
    return redirect(back)


def post_line(claim, by, template, back, **extra):
    """Add a line (and its optional receipt) in one transaction; re-show the form on errors."""
    if not is_editable(claim):
        return _already_sent(back)
    form, _policy = line_form(claim, request.form)

    def add():
        line = add_line(db.session, claim, category=form.category.data,
                        line_date=form.line_date.data, description=form.description.data,
                        amount=form.amount.data, quantity=form.quantity.data)
        upload = request.files.get(form.receipt.name)
        if upload and upload.filename:
            attach_receipt(db.session, line, upload.read(), upload.filename, by)
        return line

    return perform(add, form=form, success=_("Expense added."), next_url=back,
                   render=lambda: (render_claim(template, claim, line=form, **extra), 422))


def post_delete_line(claim, line_id, back):
    """Remove a line of a draft."""
    return perform(
        lambda: remove_line(db.session, claim, db.session.get(ClaimLine, line_id)),
        success=_("Expense removed."), next_url=back)


def post_receipt(claim, line_id, by, template, back, **extra):
    """Attach a receipt to one line; refused files leave everything as it was."""
    line = db.session.get(ClaimLine, line_id)
    if line is None or line.claim_id != claim.id:
        flash(_("This line is not part of the claim."), "danger")
        return redirect(back)
    form = ReceiptForm(prefix=f"r{line.id}")
    return perform(
        lambda: attach_receipt(db.session, line, form.receipt.data.read(),
                               form.receipt.data.filename, by),
        form=form, success=_("Receipt added."), next_url=back, default_field="receipt",
        render=lambda: (render_claim(template, claim, receipt_forms={line.id: form}, **extra),
                        422))


def post_submit(claim, by, template, back, **extra):
    """Send the claim once; a second click finds it sent and says so."""
    form = SubmitClaimForm()

    def refused():
        if not is_editable(claim):  # sent meanwhile (a second click): say so on the page
            flash(first_form_error(form) or _("This claim has been submitted and can no "
                                              "longer be changed."), "warning")
            return redirect(back)
        return render_claim(template, claim, submit=form, **extra), 422

    return perform(lambda: submit_claim(db.session, claim, by, declaration=form.declaration.data),
                   form=form, default_field="declaration", next_url=back, render=refused,
                   success=_("Your claim %(ref)s has been sent. The site will check it.",
                             ref=claim.reference))
