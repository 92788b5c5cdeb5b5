"""Exports: the code-break log, a list's numbers (unblinded only), the batch record PDF."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.blinding.models import CodeBreak, RandomisationSlot


def _naive(moment):
    return moment.replace(tzinfo=None) if moment is not None else None


def code_break_sheet(session, stmt):
    """The code-break log: when, subject, site, who, adverse event, reason."""
    from app.exports.excel import Sheet

    rows = ([_naive(b.broken_at), b.subject.code, b.subject.site.site_number,
             b.broken_by.full_name, _("yes") if b.adverse_event else _("no"), b.reason]
            for b in session.scalars(stmt.order_by(CodeBreak.broken_at)))
    return Sheet(_("Code breaks"), [_("When (UTC)"), _("Subject"), _("Site"), _("Broken by"),
                                    _("For an adverse event"), _("Reason")], rows)


def list_sheet(session, rlist):
    """A list's numbers with stratum, block, arm and subject (unblinded only)."""
    from app.exports.excel import Sheet

    rows = ([s.number, s.stratum, s.block, s.arm, s.subject.code if s.subject else ""]
            for s in session.scalars(select(RandomisationSlot).where(
                RandomisationSlot.list_id == rlist.id).order_by(RandomisationSlot.id)))
    return Sheet(_("Randomisation list"), [_("Randomisation number"), _("Stratum"), _("Block"),
                                           _("Arm"), _("Subject")], rows)


def _who(user):
    return user.full_name if user is not None else "—"


def _when(moment):
    from app.exports.pdf_flowables import format_utc

    return format_utc(moment) if moment is not None else "—"


def batch_record_pdf(session, record):
    """The printable batch record: header, materials, steps, checks, yield, deviations."""
    from app.blinding.models import BATCH_CHECK_KINDS, BATCH_KINDS, BATCH_STATUSES
    from app.core.templating import number
    from app.esign.services import signatures_for
    from app.exports.pdf import build_pdf, para, table

    matched = record.matched_lot.number if record.matched_lot else "—"
    story = [table([_("Field"), _("Value")], [
        [_("State"), BATCH_STATUSES[record.status]], [_("Trial"), record.trial.protocol_code],
        [_("Sponsor's order"), record.sponsor_order], [_("What is made"), BATCH_KINDS[record.kind]],
        [_("Description"), record.description], [_("Lot it matches"), matched],
        [_("Lot produced"), record.output_lot.number],
        [_("Opened by"), f"{_who(record.created_by)} · {_when(record.created_at)}"],
    ], col_widths=["30%", "70%"]), para(_("Materials"), "Heading3"),
        table([_("Material"), _("Supplier lot"), _("Issued"), _("Used"), _("Returned"),
               _("Wasted"), _("Unit"), _("Deviation")],
              [[m.material, m.supplier_lot, number(m.issued), number(m.used),
                number(m.returned), number(m.wasted), m.unit,
                f"#{m.deviation.number}" if m.deviation else ""] for m in record.materials]),
        para(_("Steps"), "Heading3"),
        table([_("Step"), _("Instruction"), _("Operator"), _("Done (UTC)"), _("Checked by"),
               _("Checked (UTC)")],
              [[s.position, s.instruction, _who(s.operator), _when(s.done_at), _who(s.checker),
                _when(s.checked_at)] for s in record.steps]),
        para(_("In-process checks"), "Heading3"),
        table([_("Check"), _("Kind of check"), _("Limits"), _("Result"), _("Within limits"),
               _("Checked by")], [_check_row(c, BATCH_CHECK_KINDS, number)
                                  for c in record.checks]),
        para(_("Yield"), "Heading3"),
        para(_("Expected %(e)s %(unit)s, produced %(a)s %(unit)s: %(pct)s %% "
               "(limits %(low)s–%(high)s %%).", e=number(record.expected_quantity),
               a=number(record.actual_quantity) or "—", unit=record.quantity_unit,
               pct=number(record.yield_pct) or "—", low=number(record.yield_min_pct),
               high=number(record.yield_max_pct))),
        para(_("Deviations"), "Heading3"),
        table([_("Number"), _("Description"), _("Impact"), _("CAPA"), _("State")],
              [[f"#{d.number}", d.description, d.impact or "", d.capa or "",
                _("closed") if d.status == "closed" else _("open")]
               for d in record.deviations]),
    ]
    return build_pdf(_("Batch record %(n)s", n=record.number), story,
                     subtitle=record.trial.protocol_code,
                     signatures=signatures_for(session, record))


def _check_row(check, kinds, number):
    if check.kind == "appearance":
        limits = _("matches the active product")
        result = "—" if check.appearance_match is None else (
            _("yes") if check.appearance_match else _("no"))
    else:
        limits = f"{number(check.lower)}–{number(check.upper)} {check.unit}"
        result = f"{number(check.result)} {check.unit}" if check.result is not None else "—"
    if check.comment:
        result = f"{result} ({check.comment})"
    within = "—" if check.within_limits is None else (_("yes") if check.within_limits
                                                       else _("no"))
    return [check.name, kinds[check.kind], limits, result, within, _who(check.checked_by)]
