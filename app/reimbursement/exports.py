"""Rows for Excel and stories for PDFs: claims, batches, payee totals, the Expense Sheet."""

import io
from decimal import Decimal

from flask_babel import format_currency
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Image, Spacer
from sqlalchemy import case, func, select

from app.exports.pdf import build_pdf, para, table
from app.exports.pdf_assemble import assemble
from app.files.services import read_bytes
from app.reimbursement.models import (
    BATCH_STATUSES,
    CATEGORIES,
    CLAIM_STATUSES,
    DECISIONS,
    KINDS,
    RELATIONS,
    BankAccount,
    BatchItem,
    Claim,
    ClaimLine,
    PatientLink,
    PaymentBatch,
)
from app.reimbursement.services.timeline import STEP_MEANINGS

ROWS_PER_TABLE = 60  # short tables keep reportlab's page splitting linear


def _eur(value):
    return format_currency(value, "EUR") if value is not None else "—"


# ---- Excel -------------------------------------------------------------------------------

def claim_headers():
    """Return the column titles of the claims export."""
    return [_("Reference"), _("Trial"), _("Site"), _("Subject"), _("Claimant"), _("Status"),
            _("Submitted (UTC)"), _("Claimed"), _("Approved"), _("Paid (UTC)")]


def claim_rows(session, stmt):
    """Yield one row per claim of the (already filtered and scoped) select."""
    from app.auth.models import User
    from app.trials.api import Site, Subject, Trial

    rows = session.execute(
        stmt.with_only_columns(Claim.id, Trial.protocol_code, Site.site_number, Subject.code,
                               User.full_name, Claim.status, Claim.submitted_at,
                               Claim.total_claimed, Claim.total_approved, Claim.paid_at)
        .join_from(Claim, Subject, Claim.subject_id == Subject.id)
        .join(Trial, Subject.trial_id == Trial.id)
        .join(Site, Claim.site_id == Site.id)
        .join(User, Claim.claimant_id == User.id)
        .order_by(Claim.id).execution_options(yield_per=2000))
    for (cid, trial, site, subject, claimant, status, submitted, claimed, approved,
         paid) in rows:
        yield [f"RC-{cid:06d}", trial, site, subject, claimant, str(CLAIM_STATUSES[status]),
               submitted, claimed, approved, paid]


def batch_headers():
    """Return the column titles of a batch detail."""
    return [_("Reference"), _("Payee"), _("IBAN"), _("Amount")]


def batch_rows(items):
    """Yield one row per transfer of a batch (IBAN masked)."""
    for item in items:
        yield [f"RC-{item.claim_id:06d}", item.payee_name, f"•••• •••• {item.iban_last4}",
               item.amount]


def payee_total_headers():
    """Return the column titles of the yearly per-payee totals."""
    return [_("Payee"), _("E-mail"), _("Subject"), _("Actual cost"), _("Flat allowance"),
            _("Compensation"), _("Total")]


def payee_total_rows(session, year, site_ids=None):
    """Yield per payee the paid amounts of a year, split by actual cost, flat and compensation."""
    from app.auth.models import User
    from app.trials.api import Subject

    def part(kind):
        return func.coalesce(func.sum(case((ClaimLine.kind == kind, ClaimLine.approved_amount),
                                           else_=0)), 0)

    start = f"{year}-01-01"
    stmt = (select(User.full_name, User.email, Subject.code, part("actual_cost"),
                   part("flat_allowance"), part("compensation"))
            .select_from(ClaimLine).join(Claim, ClaimLine.claim_id == Claim.id)
            .join(User, Claim.claimant_id == User.id)
            .join(Subject, Claim.subject_id == Subject.id)
            .where(Claim.status == "paid", Claim.paid_at >= _utc(start),
                   Claim.paid_at < _utc(f"{year + 1}-01-01"))
            .group_by(User.full_name, User.email, Subject.code).order_by(User.full_name))
    if site_ids is not None:
        stmt = stmt.where(Claim.site_id.in_(site_ids))
    for name, email, code, actual, flat, compensation in session.execute(stmt):
        actual, flat, compensation = (Decimal(str(v)) for v in (actual, flat, compensation))
        yield [name, email, code, actual, flat, compensation, actual + flat + compensation]


def _utc(day):
    from datetime import UTC, datetime

    return datetime.fromisoformat(day).replace(tzinfo=UTC)


# ---- PDF: Expense Reimbursement Sheet -----------------------------------------------------

def manifest(claim):
    """Return a claim's workflow steps: submission, validation, approval, payment.

    They are workflow steps, not electronic signatures: none re-enters a password (the
    payment batch's release is the e-signature, on the batch's own summary). The sheet lists
    them under their own heading and says so.
    """
    from app.esign.models import MEANINGS

    return [{"printed_name": step.printed_name, "meaning": step.meaning,
             "meaning_label": str(MEANINGS.get(step.meaning, step.meaning)),
             "signed_at": step.at, "content_hash": step.content_hash}
            for step in claim.steps if step.status in STEP_MEANINGS and step.meaning]


def _workflow_steps(claim):
    from app.exports.pdf_flowables import format_utc
    from app.exports.pdf_signatures import HASH_PREFIX_LENGTH

    rows = [[step["printed_name"], step["meaning_label"], format_utc(step["signed_at"]),
             (step["content_hash"] or "")[:HASH_PREFIX_LENGTH]] for step in manifest(claim)]
    if not rows:
        return []
    return [Spacer(1, 4 * mm), para(_("Workflow steps"), "Heading3"),
            para(_("These steps were recorded without re-entering a password; they are not "
                   "electronic signatures."), "Small"),
            table([_("Name"), _("Step"), _("Date and time (UTC)"), _("Content hash")], rows)]


def _decision_text(decision, reason):
    return f"{DECISIONS[decision]}: {reason}" if reason else str(DECISIONS[decision])


def _sheet_story(session, claim):
    link = session.scalar(select(PatientLink).where(PatientLink.user_id == claim.claimant_id))
    account = session.scalar(select(BankAccount).where(BankAccount.user_id == claim.claimant_id))
    relation = str(RELATIONS[link.relation]) if link else ""
    facts = [
        [_("Trial"), claim.subject.trial.protocol_code],
        [_("Site"), f"{claim.site.site_number} · {claim.site.hospital}"],
        [_("Subject code"), claim.subject.code],
        [_("Claimant"), f"{claim.claimant.full_name} ({relation})"],
        [_("Visit or stay"), claim.period_label],
        [_("Status"), str(CLAIM_STATUSES[claim.status])],
    ]
    if claim.on_behalf:
        facts.append([_("Entered by the site on the claimant's behalf"),
                      claim.entered_by.full_name])
    story = [table([_("Item"), _("Value")], facts, col_widths=["35%", "65%"]),
             Spacer(1, 4 * mm), para(_("Expenses"), "Heading3")]
    rows = []
    for line in claim.lines:
        final = line.approved_amount if line.finance_decision != "pending" else line.site_amount
        decision = line.finance_decision if line.finance_decision != "pending" \
            else line.site_decision
        rows.append([line.line_date.isoformat(), str(CATEGORIES[line.category]),
                     str(KINDS[line.kind]), line.description, _eur(line.amount), _eur(final),
                     _decision_text(decision, line.reason_for_patient)])
    story.append(table([_("Date"), _("Category"), _("Type"), _("Description"), _("Claimed"),
                        _("Approved"), _("Decision and reason")], rows,
                       col_widths=["13%", "14%", "11%", "20%", "11%", "11%", "20%"]))
    story += [Spacer(1, 3 * mm),
              para(_("Total claimed: %(amount)s", amount=_eur(claim.total_claimed)), "Heading4"),
              para(_("Total approved: %(amount)s", amount=_eur(claim.total_approved)),
                   "Heading4"),
              para(_("Payee"), "Heading3"),
              para(f"{account.holder_name} · {account.masked_iban}" if account
                   else _("No bank details given yet.")),
              para(_("Declaration"), "Heading3"),
              para(_("I declare that these costs are real, that I paid them to take part in the "
                     "trial and that nobody else has paid them back to me.")),
              para(_("Accepted at submission: %(when)s", when=claim.submitted_at.strftime(
                  "%Y-%m-%d %H:%M UTC") if claim.submitted_at and claim.declaration_accepted
                  else "—"), "Small")]
    return story + _workflow_steps(claim)


def claim_sheet_pdf(session, claim):
    """Return the Expense Reimbursement Sheet with its receipts appended as pages.

    Every appended page names the claim and the line its receipt belongs to; the pages are
    numbered once over the whole document.
    """
    parts = [(build_pdf(_("Expense Reimbursement Sheet"), _sheet_story(session, claim),
                        subtitle=claim.reference, page_numbers=False), None)]
    for index, line in enumerate(claim.lines, start=1):
        for receipt in line.receipts:
            note = _("%(ref)s · line %(n)s: %(day)s · %(category)s · %(file)s",
                     ref=claim.reference, n=index, day=line.line_date.isoformat(),
                     category=CATEGORIES[line.category], file=receipt.file.original_name)
            data = read_bytes(receipt.file)
            if receipt.file.content_type.startswith("image/"):
                data = _image_page(claim, note, data)
            parts.append((data, note))
    return assemble(parts)


def _image_page(claim, note, data):
    picture = Image(io.BytesIO(data))
    scale = min(170 * mm / picture.imageWidth, 200 * mm / picture.imageHeight)
    picture.drawWidth = picture.imageWidth * scale
    picture.drawHeight = picture.imageHeight * scale
    return build_pdf(_("Receipts"), [para(note, "Heading4"), picture],
                     subtitle=claim.reference, page_numbers=False)


# ---- PDF: payment batch summary -----------------------------------------------------------

def _plain_table(headers, rows):
    """Return a table of short plain-text cells: no paragraph wrapping, so thousands of rows
    lay out in a second or two (names are cut to fit their column)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    from app.exports.pdf_fonts import FONT, FONT_BOLD, register_fonts

    register_fonts()
    result = Table([headers, *rows], colWidths=[30 * mm, 80 * mm, 40 * mm, 30 * mm],
                   repeatRows=1, hAlign="LEFT")
    result.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 8), ("LEADING", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("ALIGN", (3, 1), (3, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return result


def _fit(text, font, size, width):
    from app.exports.pdf_page import _fit as fit

    return fit(str(text or ""), font, size, width)


def batch_summary_pdf(batch, items, signatures):
    """Return the summary PDF of a payment batch (IBANs masked; long payee names end with …)."""
    from app.exports.pdf_fonts import FONT, register_fonts

    register_fonts()
    facts = [[_("Message id"), batch.message_id],
             [_("Status"), str(BATCH_STATUSES[batch.status])],
             [_("Execution date"), batch.execution_date.isoformat()],
             [_("Transfers"), str(batch.count)], [_("Total"), _eur(batch.total)],
             [_("Prepared by"), batch.created_by.full_name]]
    story = [table([_("Item"), _("Value")], facts, col_widths=["35%", "65%"]),
             Spacer(1, 4 * mm), para(_("Transfers"), "Heading3")]
    headers = batch_headers()
    chunk = []
    for row in batch_rows(items):
        chunk.append([row[0], _fit(row[1], FONT, 8, 78 * mm), row[2], _eur(row[3])])
        if len(chunk) == ROWS_PER_TABLE:
            story.append(_plain_table(headers, chunk))
            chunk = []
    if chunk:
        story.append(_plain_table(headers, chunk))
    return build_pdf(_("Payment batch"), story, subtitle=batch.message_id, signatures=signatures)


def batch_items(session, batch):
    """Return the batch's transfers in reference order."""
    return session.scalars(select(BatchItem).where(BatchItem.batch_id == batch.id)
                           .order_by(BatchItem.claim_id)).all()


# -- the claims export as a background job (app.jobs) when there are many ------------------

def claims_sheet(session, user, params):
    """Return the sheet of the claims the user sees, narrowed by the filters."""
    from app.exports.excel import Sheet
    from app.reimbursement.queries import exported_claims

    return Sheet(_("Claims"), claim_headers(), claim_rows(session, exported_claims(user, params)))


def count_claims(session, user, params):
    """Return how many claims the filtered export has (the job kind's count)."""
    from app.reimbursement.queries import exported_claims

    stmt = exported_claims(user, params)
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def build_claims(session, user, params, path, progress):
    """Write the filtered claims to path (the job kind's build)."""
    from app.exports.excel import write_xlsx_file

    write_xlsx_file(path, [claims_sheet(session, user, params)], progress)


def batch_sheet(session, batch):
    """Return the detail sheet of a payment batch (IBANs masked)."""
    from app.exports.excel import Sheet

    return Sheet(batch.message_id, batch_headers(), batch_rows(batch_items(session, batch)))


def count_batch(session, user, params):
    """Return how many transfers the batch file has (the job kind's count)."""
    return session.scalar(select(func.count()).select_from(BatchItem)
                          .where(BatchItem.batch_id == params["batch_id"]))


def build_batch(session, user, params, path, progress):
    """Write the batch detail to path (the job kind's build)."""
    from app.core.errors import DomainError
    from app.exports.excel import write_xlsx_file

    batch = session.get(PaymentBatch, params["batch_id"])
    if batch is None:
        raise DomainError(_("This payment batch no longer exists."))
    write_xlsx_file(path, [batch_sheet(session, batch)], progress)


def batch_pdf_name(session, params):
    """Return the name the batch summary PDF is downloaded under."""
    batch = session.get(PaymentBatch, params["batch_id"])
    return f"{batch.message_id}.pdf" if batch is not None else "payment-batch.pdf"


def build_batch_pdf(session, user, params, path, progress):
    """Write the batch summary PDF to path (the job kind's build, for a very large batch)."""
    from app.core.errors import DomainError
    from app.esign.services import signatures_for

    batch = session.get(PaymentBatch, params["batch_id"])
    if batch is None:
        raise DomainError(_("This payment batch no longer exists."))
    items = batch_items(session, batch)
    path.write_bytes(batch_summary_pdf(batch, items, signatures_for(session, batch)))
    progress(len(items))


# -- the SEPA file (pain.001) of a released batch: always a background job (app.jobs) -------

def sepa_file_name(session, params):
    """Return the name the SEPA file is downloaded under: the batch's message id."""
    batch = session.get(PaymentBatch, params["batch_id"])
    return f"{batch.message_id}.xml" if batch is not None else "pain001.xml"


def count_sepa(session, user, params):
    """Return how many transfers the SEPA file carries (the job kind's count)."""
    return count_batch(session, user, params)


def build_sepa(session, user, params, path, progress):
    """Write the XSD-validated pain.001 of a released batch to path (the job kind's build)."""
    from app.core.errors import DomainError
    from app.reimbursement.services.sepa import build_pain001

    batch = session.get(PaymentBatch, params["batch_id"])
    if batch is None:
        raise DomainError(_("This payment batch no longer exists."))
    if batch.status == "draft":
        raise DomainError(_("The SEPA file is prepared once the batch has been released."))
    if batch.status != "released":  # paid or cancelled while the job waited in the queue
        raise DomainError(_("This batch has been paid or cancelled since the SEPA file was "
                            "asked for: no file is prepared for it."))
    path.write_bytes(build_pain001(batch, batch_items(session, batch), progress))
