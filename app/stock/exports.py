"""Accountability exports: headers and rows for Excel, a story for the PDF."""

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import DateTime, func, select, type_coerce
from sqlalchemy.orm import aliased

from app.core.errors import DomainError
from app.exports.excel import Sheet, write_xlsx_file
from app.exports.pdf import para, table
from app.stock.models import (
    EVENTS,
    KIT_STATES,
    RETURN_CONDITIONS,
    Kit,
    KitReturn,
    Location,
    Lot,
    Product,
    StockEntry,
)
from app.stock.services import accountability, dispositions
from app.trials.api import Site, Subject, Trial, TrialVisit, can_see_site, visible_trials


def summary_rows(figures):
    """Return (label, value) rows of the reconciliation."""
    c = figures.counts
    return [
        (_("Received"), c.get("receipt", 0) + c.get("transfer_in", 0)),
        (_("Dispensed"), c.get("dispense", 0)),
        (_("Returned by subjects"), c.get("return", 0)),
        (_("Sent back or transferred out"), c.get("transfer_out", 0)),
        (_("Destroyed"), c.get("destruction", 0)),
        (_("Lost"), c.get("loss", 0)),
        (_("Adjustments and corrections (on hand)"), c.get("corrections", 0)),
        (_("Expected balance"), figures.expected_on_hand),
        (_("Balance on hand"), figures.on_hand),
        (_("Difference"), figures.difference),
        (_("Units missing on returns"), figures.units_missing),
    ] + ([] if figures.dispositions is None else [
        (_("Sent back and destroyed at the depot"), figures.destroyed_elsewhere)])


def disposition_headers():
    """Return the headers of the final disposition sheet (one row per kit)."""
    return [_("Line"), _("Destroyed (UTC)"), _("Site"), _("Kit"), _("Lot"), _("Place"),
            _("Document"), _("Certificate")]


def disposition_rows(session, figures):
    """Yield the kits of the site(s) destroyed elsewhere with their certificate, line order."""
    if not figures.dispositions:
        return
    labels = {d.document_ref: d.reference.label for d in figures.dispositions
              if d.reference is not None}
    for line, at, site, kit, lot, place, ref in session.execute(
            dispositions.disposition_kits(session, figures.location_ids,
                                          figures.last_entry_id)):
        yield line, at, site, kit, lot, place, ref or "", labels.get(ref, "")


def disposition_story(figures):
    """Return the PDF paragraphs of the final disposition (nothing on a log signed before)."""
    if figures.dispositions is None:
        return []
    story = [para(_("Final disposition: sent back and destroyed at the depot"), "Heading2")]
    if not figures.dispositions:
        return story + [para(_("No kit of this log destroyed elsewhere."), "Normal")]
    return story + [table(
        [_("Date"), _("Site"), _("Kits"), _("Place"), _("Document"), _("Certificate")],
        [(d.day.isoformat(), d.site_number, str(d.kits), d.place, d.document_ref or "",
          d.reference.label if d.reference else "") for d in figures.dispositions])]


def ledger_rows(session, location_ids, last_entry_id):
    """Yield the ledger lines of the locations as plain rows, streamed from the database."""
    states = {k: str(v) for k, v in KIT_STATES.items()}
    events = {k: str(v) for k, v in EVENTS.items()}
    # Plain DateTime: SQLite hands back the stored naive UTC value without two conversions.
    stmt = (select(StockEntry.id, type_coerce(StockEntry.occurred_at, DateTime()),
                   type_coerce(StockEntry.recorded_at, DateTime()),
                   StockEntry.event, Kit.kit_number, Lot.number, Location.code,
                   StockEntry.state_before, StockEntry.state_after, StockEntry.on_hand_delta,
                   StockEntry.user_name, StockEntry.document_ref, StockEntry.reason,
                   StockEntry.reversal_of_id)
            .join(Kit, Kit.id == StockEntry.kit_id).join(Lot, Lot.id == StockEntry.lot_id)
            .join(Location, Location.id == StockEntry.location_id)
            .where(StockEntry.location_id.in_(location_ids), StockEntry.id <= last_entry_id)
            .order_by(StockEntry.id).execution_options(yield_per=5000))
    for row in session.execute(stmt):
        (line, occurred, recorded, event, kit, lot, location, before, after, change, user,
         document, reason, reverses) = row
        yield (line, occurred, recorded, events.get(event, event), kit, lot, location,
               states.get(before, before or ""), states.get(after, after or ""), change, user,
               document, reason, reverses)


def dispensing_rows(session, stmt):
    """Yield dispensed kits: date, subject, visit, kit, lot, compliance once returned.

    Compliance: units taken (the kit's units less those returned or missing) of the units
    expected to be taken (the whole kit), in percent; empty until the kit comes back.
    """
    subject, visit, kit, lot = aliased(Subject), aliased(TrialVisit), aliased(Kit), aliased(Lot)
    inner = stmt.subquery()
    query = (select(inner.c.dispensed_at, subject.code, visit.number, visit.name, kit.kit_number,
                    lot.number, Product.units_per_kit, KitReturn.units_returned,
                    KitReturn.units_missing)
             .join(subject, subject.id == inner.c.subject_id)
             .join(visit, visit.id == inner.c.visit_id)
             .join(kit, kit.id == inner.c.kit_id).join(lot, lot.id == kit.lot_id)
             .join(Product, Product.id == kit.product_id)
             .outerjoin(KitReturn, KitReturn.kit_id == inner.c.kit_id)
             .order_by(inner.c.dispensed_at, inner.c.id)
             .execution_options(yield_per=5000))
    for at, code, number, name, kit_number, lot_number, units, back, missing \
            in session.execute(query):
        taken = None if back is None else max(0, units - back - (missing or 0))
        yield (at, code, f"V{number} · {name}", kit_number, lot_number,
               "" if taken is None else f"{round(100 * taken / units)} % ({taken}/{units})")


def return_rows(session, stmt):
    """Yield returns: date, subject, kit, units returned and missing, condition, explanation."""
    conditions = {k: str(v) for k, v in RETURN_CONDITIONS.items()}
    inner = stmt.subquery()
    query = (select(inner.c.returned_at, Subject.code, Kit.kit_number, inner.c.units_returned,
                    inner.c.units_missing, inner.c.condition, inner.c.explanation)
             .join(Subject, Subject.id == inner.c.subject_id)
             .join(Kit, Kit.id == inner.c.kit_id)
             .order_by(inner.c.returned_at, inner.c.id).execution_options(yield_per=5000))
    for at, code, kit, returned, missing, condition, explanation in session.execute(query):
        yield at, code, kit, returned, missing, conditions.get(condition, condition), \
            explanation or ""


def accountability_sheets(session, figures, *, site=None, trial=None):
    """Return the sheets of an accountability workbook (lazy rows)."""
    return [
        Sheet(_("Summary"), [_("Figure"), _("Kits")], summary_rows(figures), widths=[40, 12]),
        Sheet(_("Dispensed"), [_("Date (UTC)"), _("Subject"), _("Visit"), _("Kit"), _("Lot"),
                               _("Compliance")],
              dispensing_rows(session, accountability.dispensings(
                  session, site=site, trial=trial, last_entry_id=figures.last_entry_id)),
              widths=[20, 16, 28, 14, 16, 16]),
        Sheet(_("Returns"), [_("Date (UTC)"), _("Subject"), _("Kit"), _("Units returned"),
                             _("Units missing"), _("Condition"), _("Explanation")],
              return_rows(session, accountability.returns(session, site=site, trial=trial,
                                                 last_entry_id=figures.last_entry_id)),
              widths=[20, 16, 14, 14, 14, 20, 40]),
        Sheet(_("Discrepancies"), [_("Date (UTC)"), _("Kit"), _("Discrepancy"),
                                   _("Explanation")],
              [(at, kit, str(what), why) for at, kit, what, why in figures.discrepancies],
              widths=[20, 14, 30, 50]),
        *([] if figures.dispositions is None else [
            Sheet(_("Final disposition"), disposition_headers(),
                  disposition_rows(session, figures), widths=[8, 20, 10, 14, 16, 24, 18, 18])]),
        Sheet(_("Ledger"), ledger_headers(),
              ledger_rows(session, figures.location_ids, figures.last_entry_id),
              widths=[8, 20, 20, 16, 12, 14, 24, 16, 16, 10, 24, 18, 30, 10]),
    ]


def ledger_headers():
    """Return the translated ledger column headers."""
    return [_("Line"), _("Occurred (UTC)"), _("Recorded (UTC)"), _("Event"), _("Kit"), _("Lot"),
            _("Location"), _("State before"), _("State after"), _("On hand change"), _("By"),
            _("Document"), _("Reason"), _("Reverses line")]


def accountability_story(session, figures, *, site=None, trial=None, limit=2000):
    """Return the PDF story: summary, dispensed kits, returns and discrepancies."""
    story = [para(_("Reconciliation"), "Heading2"),
             table([_("Figure"), _("Kits")], [(str(a), str(b)) for a, b in summary_rows(figures)])]
    rows = list(dispensing_rows(session, accountability.dispensings(
        session, site=site, trial=trial, last_entry_id=figures.last_entry_id).limit(limit)))
    story += [para(_("Dispensed"), "Heading2"),
              table([_("Date (UTC)"), _("Subject"), _("Visit"), _("Kit"), _("Lot"),
                     _("Compliance")],
                    [(at.strftime("%Y-%m-%d"), s, v, k, lot, c) for at, s, v, k, lot, c in rows])
              if rows else para(_("No kit dispensed."), "Normal")]
    returned = list(return_rows(session, accountability.returns(
        session, site=site, trial=trial, last_entry_id=figures.last_entry_id).limit(limit)))
    story += [para(_("Returns"), "Heading2"),
              table([_("Date (UTC)"), _("Subject"), _("Kit"), _("Returned"),
                     pgettext("units", "Missing"),
                     _("Condition")],
                    [(r[0].strftime("%Y-%m-%d"), r[1], r[2], str(r[3]), str(r[4]), r[5])
                     for r in returned])
              if returned else para(_("No returns."), "Normal")]
    story += [para(_("Discrepancies"), "Heading2")]
    if figures.discrepancies:
        story.append(table([_("Date (UTC)"), _("Kit"), _("Discrepancy"), _("Explanation")],
                           [(at.strftime("%Y-%m-%d"), kit, str(what), why or _("none given"))
                            for at, kit, what, why in figures.discrepancies]))
    else:
        story.append(para(_("No discrepancies."), "Normal"))
    return story + disposition_story(figures)


# -- the accountability log as a background job (app.jobs) when it is large -----------------

def accountability_params(kind, ident, figures):
    """Return a job's parameters: the scope and the ledger line the figures stop at."""
    return {"kind": kind, "ident": ident, "last_entry_id": figures.last_entry_id}


def _job_scope(session, user, params):
    """Return (site, trial) of a job's scope, refusing one the user may not see."""
    if params["kind"] == "site":
        site = session.get(Site, params["ident"])
        if site is not None and can_see_site(user, site):
            return site, None
    elif params["kind"] == "trial" and user.site_scope("accountability.view") is None:
        trial = session.scalar(visible_trials(user).where(Trial.id == params["ident"]))
        if trial is not None:
            return None, trial
    raise DomainError(_("You may not see this accountability log."))


def _count(session, stmt):
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def count_accountability(session, user, params):
    """Return how many rows the accountability workbook has (the job kind's count)."""
    site, trial = _job_scope(session, user, params)
    figures = accountability.compute(session, site=site, trial=trial,
                                     last_entry_id=params["last_entry_id"])
    ledger = select(StockEntry.id).where(StockEntry.location_id.in_(figures.location_ids),
                                         StockEntry.id <= figures.last_entry_id)
    dispensed = accountability.dispensings(session, site=site, trial=trial,
                                           last_entry_id=figures.last_entry_id)
    returned = accountability.returns(session, site=site, trial=trial,
                                                 last_entry_id=figures.last_entry_id)
    return (len(summary_rows(figures)) + len(figures.discrepancies) + _count(session, ledger)
            + _count(session, dispensed) + _count(session, returned)
            + figures.destroyed_elsewhere)


def build_accountability(session, user, params, path, progress):
    """Write the accountability workbook to path (the job kind's build)."""
    site, trial = _job_scope(session, user, params)
    figures = accountability.compute(session, site=site, trial=trial,
                                     last_entry_id=params["last_entry_id"])
    write_xlsx_file(path, accountability_sheets(session, figures, site=site, trial=trial),
                    progress)
