"""Writing a draft claim: shared by the patient portal and site staff entering on behalf."""

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.views_helpers import attach_error
from app.exports.pdf import pdf_response
from app.extensions import db
from app.files.services import FileRefused, send_stored_file
from app.reimbursement.claims import add_line, attach_receipt, remove_line, submit_claim
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.exports import claim_sheet_pdf
from app.reimbursement.forms import LineForm, ReceiptForm, SubmitClaimForm
from app.reimbursement.models import ClaimLine
from app.reimbursement.policy import plain_language, policy_for
from app.reimbursement.queries import receipt_of_claim
from app.reimbursement.review import FLAG_LABELS


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
    return send_stored_file(item.file)


def sheet_response(claim):
    """Answer with the claim's Expense Reimbursement Sheet."""
    return pdf_response(f"{claim.reference}.pdf", claim_sheet_pdf(db.session, claim))


def line_form(claim, formdata=None):
    """Return the line form offering the policy's allowed categories."""
    policy = policy_for(db.session, claim.subject.trial)
    allowed = [r.category for r in policy.categories if r.allowed]
    form = LineForm(formdata=formdata, categories=allowed)
    return form, policy


def new_token():
    """Return a fresh idempotency token for a new-claim form."""
    return uuid.uuid4().hex


def render_claim(template, claim, *, line=None, submit=None, receipt_forms=None, **extra):
    """Render a claim page with its draft forms and the policy in plain language."""
    form, policy = line_form(claim) if line is None else (line, policy_for(
        db.session, claim.subject.trial))
    receipt_forms = receipt_forms or {}
    for item in claim.lines:
        receipt_forms.setdefault(item.id, ReceiptForm(formdata=None, prefix=f"r{item.id}"))
    db.session.commit()  # the default policy, if it was just created
    return render_template(template, claim=claim, line_form=form,
                           submit_form=submit or SubmitClaimForm(formdata=None),
                           receipt_forms=receipt_forms, policy=policy,
                           policy_text=plain_language(policy), flag_labels=FLAG_LABELS,
                           **extra)


def post_line(claim, by, template, back, **extra):
    """Add a line (and its optional receipt) in one transaction; re-show the form on errors."""
    if claim.status != "draft":
        flash(_("This claim has been submitted and can no longer be changed."), "warning")
        return redirect(back)
    form, _policy = line_form(claim, request.form)
    if form.validate_on_submit():
        try:
            line = add_line(db.session, claim, category=form.category.data,
                            line_date=form.line_date.data, description=form.description.data,
                            amount=form.amount.data, quantity=form.quantity.data)
            upload = request.files.get(form.receipt.name)
            if upload and upload.filename:
                attach_receipt(db.session, line, upload.read(), upload.filename, by)
        except (ReimbursementError, FileRefused) as error:
            db.session.rollback()
            attach_error(form, error, default_field="receipt"
                         if isinstance(error, FileRefused) else None)
        else:
            db.session.commit()
            flash(_("Expense added."), "success")
            return redirect(back)
    db.session.refresh(claim)
    return render_claim(template, claim, line=form, **extra), 422


def post_delete_line(claim, line_id, back):
    """Remove a line of a draft."""
    line = db.session.get(ClaimLine, line_id)
    try:
        if line is None or line.claim_id != claim.id:
            raise ReimbursementError(_("This line is not part of the claim."))
        remove_line(db.session, claim, line)
    except ReimbursementError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Expense removed."), "success")
    return redirect(back)


def post_receipt(claim, line_id, by, template, back, **extra):
    """Attach a receipt to one line; refused files leave everything as it was."""
    line = db.session.get(ClaimLine, line_id)
    if line is None or line.claim_id != claim.id:
        flash(_("This line is not part of the claim."), "danger")
        return redirect(back)
    form = ReceiptForm(prefix=f"r{line.id}")
    if form.validate_on_submit():
        upload = form.receipt.data
        try:
            attach_receipt(db.session, line, upload.read(), upload.filename, by)
        except (ReimbursementError, FileRefused) as error:
            db.session.rollback()
            form.receipt.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Receipt added."), "success")
            return redirect(back)
    db.session.refresh(claim)
    return render_claim(template, claim, receipt_forms={line.id: form}, **extra), 422


def post_submit(claim, by, template, back, **extra):
    """Send the claim once; a second click finds it sent and says so."""
    form = SubmitClaimForm()
    if form.validate_on_submit():
        try:
            submit_claim(db.session, claim, by, declaration=form.declaration.data)
        except ReimbursementError as error:
            db.session.rollback()
            if claim.status != "draft":
                flash(str(error), "warning")
                return redirect(back)
            attach_error(form, error, default_field="declaration")
        else:
            db.session.commit()
            flash(_("Your claim %(ref)s has been sent. The site will check it.",
                    ref=claim.reference), "success")
            return redirect(back)
    db.session.refresh(claim)
    return render_claim(template, claim, submit=form, **extra), 422
