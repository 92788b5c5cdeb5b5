"""Excursions of a site's storage: which kits were there, quarantine, exposure, QA.

A pharmacist reports the period the fridge spent out of range, from the logger's file or by
hand. The stock ledger says which kits were at the location during the period (not only the
ones there now); those still usable there are quarantined, and every one of them carries the
minutes and extremes in its whole-life exposure (app/stock/services/stability.py).
"""

from datetime import timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select

from app.coldchain.excursions import narrowest_band
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.templating import number
from app.notify.services import tell, users_with_roles
from app.stock.models import (
    Kit,
    StockEntry,
    StorageExcursion,
    StorageExcursionKit,
    StorageQaDecision,
)
from app.stock.services.ledger import move_kits
from app.stock.services.stability import add_exposure, sign_qa_decision
from app.stock.states import ON_HAND_STATES, USABLE_STATES

MAX_COMMENT = 2000


def kits_present(session, location, started_at, ended_at):
    """Return the kits on hand at the location at any moment of the period, by the ledger.

    A kit counts when its last ledger line at or before the start leaves it on hand here, or
    when a line during the period brings it here; a kit dispensed or sent away before the
    start does not.
    """
    here = select(StockEntry.kit_id).where(StockEntry.location_id == location.id,
                                           StockEntry.occurred_at <= ended_at)
    rows = session.execute(
        select(StockEntry.kit_id, StockEntry.location_id, StockEntry.state_after,
               StockEntry.occurred_at)
        .where(StockEntry.kit_id.in_(here.distinct()), StockEntry.occurred_at <= ended_at)
        .order_by(StockEntry.kit_id, StockEntry.occurred_at, StockEntry.id)).all()
    present, at_start = set(), {}
    for kit_id, location_id, state, occurred_at in rows:
        on_hand_here = location_id == location.id and state in ON_HAND_STATES
        if occurred_at <= started_at:
            at_start[kit_id] = on_hand_here
        elif on_hand_here:
            present.add(kit_id)
    present |= {kit_id for kit_id, there in at_start.items() if there}
    if not present:
        return []
    return session.scalars(select(Kit).where(Kit.id.in_(present))
                           .order_by(Kit.kit_number)).all()


def storage_band(kits):
    """Return the (min, max) °C every kit tolerates, or None without kits."""
    return narrowest_band((k.product.storage_min_c, k.product.storage_max_c)
                          for k in {k.product_id: k for k in kits}.values())


def check_period(location, started_at, ended_at, *, start_field="started_at",
                 end_field="ended_at"):
    """Refuse a period in the wrong order, in the future or before the location existed."""
    if started_at is None:
        raise DomainError(_("Give when the excursion started."), start_field)
    if ended_at is None:
        raise DomainError(_("Give when the excursion ended."), end_field)
    if ended_at <= started_at:
        raise DomainError(_("The end must be after the start."), end_field)
    if ended_at > utcnow() + timedelta(minutes=5):
        raise DomainError(_("The excursion cannot end in the future."), end_field)
    created = location.created_at
    if created is not None and started_at < created:
        raise DomainError(_("%(place)s has been recorded since %(date)s; the excursion cannot "
                            "start before that.", place=location.name,
                            date=created.strftime("%Y-%m-%d %H:%M UTC")), start_field)


def kits_and_band(session, location, started_at, ended_at, field="started_at"):
    """Return (kits there during the period, their storage band), refusing when none."""
    kits = kits_present(session, location, started_at, ended_at)
    if not kits:
        raise DomainError(_("No kits were at %(place)s during this period: there is nothing "
                            "to quarantine.", place=location.name), field)
    return kits, storage_band(kits)


def record_manual_excursion(session, location, *, started_at, ended_at, min_c, max_c,
                            comment, by):
    """Record an excursion entered by hand: period, coldest and warmest reading, comment."""
    check_period(location, started_at, ended_at)
    if min_c is None and max_c is None:
        raise DomainError(_("Give the coldest or the warmest temperature seen."), "min_c")
    if min_c is not None and max_c is not None and min_c > max_c:
        raise DomainError(_("The warmest temperature cannot be below the coldest."), "max_c")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say what happened (for example, the fridge door was left "
                            "open)."), "comment")
    kits, (low, high) = kits_and_band(session, location, started_at, ended_at)
    if not ((min_c is not None and min_c < low) or (max_c is not None and max_c > high)):
        raise DomainError(_("These temperatures are within the storage range of the kits "
                            "(%(low)s to %(high)s °C): there is no excursion to record.",
                            low=number(low, 1), high=number(high, 1)), "min_c")
    minutes = round((ended_at - started_at).total_seconds() / 60, 1)
    return record_excursion(session, location, kits, (low, high), by=by, source="manual",
                   started_at=started_at, ended_at=ended_at, minutes_out=minutes,
                   min_c=min_c, max_c=max_c, comment=comment[:MAX_COMMENT])


def record_excursion(session, location, kits, band, *, by, **values):
    excursion = StorageExcursion(location_id=location.id, site_id=location.site_id,
                                 low_c=band[0], high_c=band[1],
                                 reported_by_id=by.id if by else None, **values)
    excursion.location = location
    session.add(excursion)
    session.flush()
    quarantine = [k for k in kits if k.location_id == location.id and k.state in USABLE_STATES]
    for kit in kits:
        session.add(StorageExcursionKit(
            excursion_id=excursion.id, kit_id=kit.id, minutes_out=excursion.minutes_out,
            state_before=kit.state, quarantined=kit in quarantine))
    if quarantine:
        move_kits(session, quarantine, "quarantined", "quarantine", by=by,
                  document_ref=excursion.reference,
                  reason=_("Storage excursion %(ref)s", ref=excursion.reference))
    lowest = excursion.min_c if excursion.min_c is not None and excursion.min_c < band[0] \
        else None
    highest = excursion.max_c if excursion.max_c is not None and excursion.max_c > band[1] \
        else None
    add_exposure(session, kits, excursion.minutes_out, lowest, highest,
                 source=("storage", excursion.id, excursion.reference))
    excursion.qa_pending = bool(quarantine)
    session.flush()
    session.refresh(excursion, ["lines"])
    _tell_qa(session, excursion, len(quarantine))
    return excursion


def _tell_qa(session, excursion, count):
    link = f"/stock/storage-excursions/{excursion.id}"  # no host: read inside the app
    tell(session, users_with_roles(session, ("qp",)),
         lambda: (_("Storage excursion %(ref)s at %(place)s awaits a QA decision",
                    ref=excursion.reference, place=excursion.location.name),
                  _("%(place)s was %(minutes)s minutes out of range (%(low)s to %(high)s °C). "
                    "%(count)s kits are quarantined. Release or reject them.",
                    place=excursion.location.name,
                    minutes=number(excursion.minutes_out, 1),
                    low=number(excursion.low_c, 1), high=number(excursion.high_c, 1),
                    count=count)),
         link)


def pending_lines(excursion):
    """Return the quarantined kits still waiting for a QA decision."""
    return [line for line in excursion.lines if line.quarantined and line.qa_outcome is None]


def decide_storage_kits(session, excursion, line_ids, decision, reason, *, signer, password,
                        departure_reason=None):
    """Release or reject quarantined kits of a storage excursion, signed by QA.

    Released kits are available again at the site; rejected kits go to pending destruction.
    """
    record = sign_qa_decision(
        session, excursion, pending_lines(excursion), line_ids, decision, reason,
        signer=signer, password=password, departure_reason=departure_reason,
        permission="stock.qa", record=partial(StorageQaDecision, excursion=excursion),
        document_ref=excursion.reference, mover=move_kits)
    excursion.qa_pending = bool(pending_lines(excursion))
    session.flush()
    return record
