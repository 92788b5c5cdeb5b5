"""Excel exports: the code-break log (never an arm) and a list's numbers (unblinded only)."""

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
