"""Reconciliation per trial, site and period: figures from the ledger, differences explained,
closed, verified by the monitor's e-signature; frozen from the moment it is drawn up."""

import json
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.destruction.models import (
    Reconciliation,
    ReconciliationKit,
    ReconciliationNote,
    ReturnedKit,
)
from app.destruction.states import RECONCILIATION
from app.esign.services import sign
from app.stock.api import Kit, KitReturn, StockEntry, site_location

# Kits still at the site that a reconciliation accounts for (destroyed there, or sent back).
SET_ASIDE = ("returned", "damaged", "expired", "pending_destruction", "quarantined")
FIGURES = ("delivered", "dispensed", "returned_by_subjects", "units_returned",
           "units_missing", "returned_unused", "sent_back", "missing", "damaged",
           "destroyed_at_site", "on_hand_start", "on_hand_end", "expected_on_hand",
           "difference")


def _moment(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def compute_figures(session, site, start, end, last_entry_id):
    """Return the figures and the differences of a site over a period, up to a ledger line."""
    location = site_location(session, site)
    upto = (StockEntry.location_id == location.id, StockEntry.id <= last_entry_id)
    window = (*upto, StockEntry.occurred_at >= _moment(start),
              StockEntry.occurred_at < _moment(end + timedelta(days=1)))
    counts = dict(session.execute(
        select(StockEntry.event, func.count()).where(*window, StockEntry.reversal_of_id.is_(None))
        .group_by(StockEntry.event)).all())

    def on_hand(*where):
        return int(session.scalar(select(func.coalesce(func.sum(StockEntry.on_hand_delta), 0))
                                  .where(*where)) or 0)

    start_on_hand = on_hand(*upto, StockEntry.occurred_at < _moment(start))
    end_on_hand = on_hand(*upto, StockEntry.occurred_at < _moment(end + timedelta(days=1)))
    returns = select(KitReturn).where(KitReturn.site_id == site.id,
                                      KitReturn.entry_id <= last_entry_id,
                                      KitReturn.returned_at >= _moment(start),
                                      KitReturn.returned_at < _moment(end + timedelta(days=1)))
    subject_returns = session.scalars(returns).all()
    damaged = session.scalar(select(func.count()).where(
        *window, StockEntry.state_after == "damaged")) or 0
    unused = session.scalar(select(func.count()).select_from(ReturnedKit).where(
        ReturnedKit.site_id == site.id, ReturnedKit.condition == "unused",
        ReturnedKit.scanned_at >= _moment(start),
        ReturnedKit.scanned_at < _moment(end + timedelta(days=1)))) or 0
    figures = {
        "delivered": counts.get("transfer_in", 0) + counts.get("receipt", 0),
        "dispensed": counts.get("dispense", 0),
        "returned_by_subjects": counts.get("return", 0),
        "units_returned": sum(r.units_returned for r in subject_returns),
        "units_missing": sum(r.units_missing for r in subject_returns),
        "returned_unused": unused,
        "sent_back": counts.get("transfer_out", 0),
        "missing": counts.get("loss", 0),
        "damaged": damaged,
        "destroyed_at_site": counts.get("destruction", 0),
        "on_hand_start": start_on_hand,
        "on_hand_end": end_on_hand,
    }
    figures["expected_on_hand"] = (
        start_on_hand + figures["delivered"] - figures["dispensed"]
        + figures["returned_by_subjects"] - figures["sent_back"] - figures["missing"]
        - figures["destroyed_at_site"])
    figures["difference"] = end_on_hand - figures["expected_on_hand"]
    differences = []
    for entry in session.scalars(select(StockEntry).where(*window, StockEntry.event == "loss")
                                 .order_by(StockEntry.id)):
        differences.append({"key": f"loss:{entry.id}", "kit": entry.kit.kit_number,
                            "what": _("Kit missing")})
    for kit_return in subject_returns:
        if kit_return.units_missing:
            differences.append({"key": f"units:{kit_return.id}",
                                "kit": kit_return.kit.kit_number,
                                "what": _("%(n)s units not returned by the subject",
                                          n=kit_return.units_missing)})
    if figures["difference"]:
        differences.append({"key": "on_hand", "kit": "",
                            "what": _("On hand differs from the movements by %(n)s kits",
                                      n=figures["difference"])})
    return figures, differences


def accounted_kit_ids(session, site, start, end, last_entry_id):
    """Return the kits the reconciliation accounts for: sent back in the period, or set aside."""
    location = site_location(session, site)
    sent = select(StockEntry.kit_id).where(
        StockEntry.location_id == location.id, StockEntry.id <= last_entry_id,
        StockEntry.event == "transfer_out",
        StockEntry.state_before.in_(SET_ASIDE),
        StockEntry.occurred_at >= _moment(start),
        StockEntry.occurred_at < _moment(end + timedelta(days=1)))
    here = select(Kit.id).where(Kit.location_id == location.id, Kit.state.in_(SET_ASIDE))
    return set(session.scalars(sent)) | set(session.scalars(here))


def draw_up(session, site, start, end, *, by, today=None):
    """Freeze a site's reconciliation over a period; return it (open until explained)."""
    today = today or clock.today()
    if start is None or end is None:
        raise DomainError(_("Give the first and last day of the period."), "period_start")
    if end < start:
        raise DomainError(_("The period cannot end before it starts."), "period_end")
    if end > today:
        raise DomainError(_("The period cannot end in the future."), "period_end")
    last_entry_id = session.scalar(select(func.max(StockEntry.id))) or 0
    figures, differences = compute_figures(session, site, start, end, last_entry_id)
    rec = Reconciliation(trial_id=site.trial_id, site_id=site.id, period_start=start,
                         period_end=end, last_entry_id=last_entry_id, status="open",
                         figures=json.dumps({"figures": figures, "differences": differences},
                                            sort_keys=True, ensure_ascii=False),
                         created_by_id=by.id if by else None)
    session.add(rec)
    session.flush()
    ids = accounted_kit_ids(session, site, start, end, last_entry_id)
    if ids:
        session.execute(insert(ReconciliationKit), [
            {"reconciliation_id": rec.id, "kit_id": kit_id} for kit_id in sorted(ids)])
    return rec


def frozen(rec):
    """Return (figures, differences) as frozen in the reconciliation."""
    data = json.loads(rec.figures)
    return data["figures"], data["differences"]


def unexplained(rec):
    """Return the differences without an explanation."""
    explained = {note.key for note in rec.notes}
    return [d for d in frozen(rec)[1] if d["key"] not in explained]


def explain(session, rec, key, explanation, *, by):
    """Record why one difference exists (while the reconciliation is open)."""
    if rec.status != "open":
        raise DomainError(_("Reconciliation %(n)s is closed; its explanations cannot change.",
                            n=rec.number))
    text = (explanation or "").strip()
    if not text:
        raise DomainError(_("Explain the difference."), "explanation")
    if len(text) > 500:
        raise DomainError(_("At most 500 characters."), "explanation")
    if key not in {d["key"] for d in frozen(rec)[1]}:
        raise DomainError(_("This difference is not part of the reconciliation."))
    note = next((n for n in rec.notes if n.key == key), None)
    if note is None:
        note = ReconciliationNote(reconciliation=rec, key=key, explanation=text,
                                  written_by_id=by.id if by else None)
        session.add(note)
    else:
        note.explanation = text
    session.flush()
    return note


def close(session, rec, *, by):
    """Close the reconciliation once every difference is explained."""
    missing = unexplained(rec)
    if missing:
        raise DomainError(_("Explain every difference before closing: %(n)s still without an "
                            "explanation.", n=len(missing)))
    apply_transition(session, RECONCILIATION, rec, "close", by=by)


def verify(session, rec, *, signer, password):
    """The monitor verifies a closed reconciliation by e-signature."""
    if not signer.can("destruction.verify"):
        raise DomainError(_("Only a monitor verifies a reconciliation."))
    if rec.status != "closed":
        raise DomainError(_("Only a closed reconciliation can be verified."))
    try:
        signature = sign(session, rec, meaning="verified", signer=signer, password=password,
                         role="monitor")
    except OperationalError as error:
        raise DomainError(RECONCILIATION.conflict(rec)) from error
    apply_transition(session, RECONCILIATION, rec, "verify", by=signer, signature=signature)
    return signature


def reconciliation_kit_ids(session, rec_ids):
    """Return the kit ids of these reconciliations."""
    return select(ReconciliationKit.kit_id).where(ReconciliationKit.reconciliation_id.in_(rec_ids))
