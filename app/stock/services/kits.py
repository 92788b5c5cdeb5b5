"""Create kits with random numbers and receive new kits at a depot."""

import secrets
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.templating import local_date
from app.stock.models import LOT_STATUSES, Kit, StockEntry
from app.stock.services.ledger import actor_of, apply_balance_deltas, deltas

MAX_KITS_PER_BATCH = 20_000
UNUSABLE_LOT_STATUSES = {"rejected", "recalled", "expired"}


def lot_receivable_problem(lot, trial, today):
    """Return why kits of this lot cannot be received for the trial today, or None."""
    if lot.trial_id not in (None, trial.id):
        return _("Lot %(lot)s belongs to another trial.", lot=lot.number)
    if lot.status in UNUSABLE_LOT_STATUSES:
        return _("Lot %(lot)s is %(status)s and cannot be received.", lot=lot.number,
                 status=LOT_STATUSES[lot.status])
    if lot.expires_on < today:
        return _("Lot %(lot)s expired on %(date)s; expired stock cannot be received.",
                 lot=lot.number, date=local_date(lot.expires_on))
    return None


def random_kit_numbers(session, trial, count, digits=7):
    """Return count new random kit numbers, unused in the trial and in no visible order."""
    taken = set(session.scalars(select(Kit.kit_number).where(Kit.trial_id == trial.id)))
    numbers = []
    low, high = 10 ** (digits - 1), 10 ** digits
    while len(numbers) < count:
        candidate = str(low + secrets.randbelow(high - low))
        if candidate not in taken:
            taken.add(candidate)
            numbers.append(candidate)
    return numbers


def generate_kits(session, trial, lot, location, count, *, by=None, document_ref=None,
                  today=None):
    """Create count kits of a lot with random numbers and receive them at a depot location."""
    if count is None or count <= 0:
        raise DomainError(_("The number of kits must be more than zero."), "count")
    if count > MAX_KITS_PER_BATCH:
        raise DomainError(_("At most %(n)s kits can be generated at once.",
                            n=MAX_KITS_PER_BATCH), "count")
    problem = lot_receivable_problem(lot, trial, today or clock.today())
    if problem:
        raise DomainError(problem, "lot_id")
    rows = [(number, lot) for number in random_kit_numbers(session, trial, count)]
    return receive_new_kits(session, trial, location, rows, by=by, document_ref=document_ref)


def receive_new_kits(session, trial, location, rows, *, by=None, document_ref=None):
    """Insert kits [(number, lot, ...)] at a depot with a receipt ledger line each."""
    if location.kind not in ("depot", "zone"):
        raise DomainError(_("New kits are received at a depot."), "location_id")
    actor = actor_of(by)
    now = utcnow()
    kits = [Kit(trial_id=trial.id, kit_number=number, lot_id=lot.id, product_id=lot.product_id,
                location_id=location.id, state="available", expires_on=lot.expires_on)
            for number, lot, *_rest in rows]
    session.add_all(kits)
    session.flush()
    d = deltas(None, "available")
    changes = defaultdict(lambda: [0, 0, 0])
    for kit in kits:
        session.add(StockEntry(
            event="receipt", kit_id=kit.id, trial_id=trial.id, location_id=location.id,
            lot_id=kit.lot_id,
            product_id=kit.product_id, state_before=None, state_after="available",
            on_hand_delta=d[0], quarantined_delta=d[1], available_delta=d[2],
            occurred_at=now, recorded_at=now, user_id=actor.id, user_name=actor.name,
            document_ref=document_ref or None))
        key = changes[(location.id, trial.id, kit.lot_id, kit.product_id)]
        for i in range(3):
            key[i] += d[i]
    session.flush()
    apply_balance_deltas(session, changes)
    return kits
