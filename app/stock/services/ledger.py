"""The stock ledger: declared kit moves, ledger lines, balances and audit in one transaction."""

from collections import defaultdict
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.services import current_actor, record_event
from app.core.bulk import insert_rows
from app.core.errors import DomainError
from app.core.models import utcnow
from app.stock.models import Kit, StockBalance, StockEntry
from app.stock.states import KIT, ON_HAND_STATES, REVERSIBLE_EVENTS, USABLE_STATES


@dataclass
class Actor:
    """Who records a stock event (a user, or the system for CLI work)."""

    id: int | None
    name: str

    @classmethod
    def of(cls, user):
        """Return the actor for a user, or the system when there is none."""
        if user is None:
            return cls(None, "system")
        return cls(user.id, user.full_name)


def actor_of(by):
    """Return the Actor for a user, an Actor, or the logged-in user when by is None."""
    if isinstance(by, Actor):
        return by
    if by is None and has_request_context():
        from flask_login import current_user

        if current_user.is_authenticated:
            return Actor.of(current_user)
    return Actor.of(by)


def contribution(state):
    """Return what one kit in this state adds to (on hand, quarantined, available)."""
    if state is None:
        return (0, 0, 0)
    return (int(state in ON_HAND_STATES), int(state == "quarantined"),
            int(state in USABLE_STATES))


def deltas(state_before, state_after):
    """Return the balance change of moving one kit from one state to another."""
    before, after = contribution(state_before), contribution(state_after)
    return tuple(a - b for a, b in zip(after, before, strict=True))


def kit_refusal(kit, to_state):
    """Return, in plain words, why the kit cannot go to this state now."""
    number, state = kit.kit_number, kit.state
    now, target = KIT.label(state), KIT.label(to_state)
    if state == "destroyed":
        return _("Kit %(kit)s has been destroyed; nothing more can happen to it.", kit=number)
    if state == to_state:
        return _("Kit %(kit)s is already %(state)s.", kit=number, state=now)
    if to_state == "dispensed":
        return _("Kit %(kit)s is %(state)s and cannot be dispensed; only available kits can.",
                 kit=number, state=now)
    if to_state == "in_transit":
        return _("Kit %(kit)s is %(state)s and cannot be shipped.", kit=number, state=now)
    return _("Kit %(kit)s is %(state)s; it cannot become %(target)s.",
             kit=number, state=now, target=target)


def check_kit_move(kit, to_state, event, reversal_of=None):
    """Raise DomainError unless the kit machine declares the move.

    A correction goes back along the move it undoes, so that move must be declared instead.
    """
    if reversal_of is not None:
        declared = KIT.find(to_state, reversal_of.event, kit.state)
    else:
        declared = KIT.find(kit.state, event, to_state)
    if declared is None:
        raise DomainError(kit_refusal(kit, to_state))


def apply_balance_deltas(session, changes):
    """Add {(location, trial, lot, product): [on_hand, quarantined, available]} to balances."""
    table = StockBalance.__table__
    for (location_id, trial_id, lot_id, product_id), (on_hand, quarantined, available) \
            in changes.items():
        if not (on_hand or quarantined or available):
            continue
        stmt = (update(table)
                .where(table.c.location_id == location_id, table.c.trial_id == trial_id,
                       table.c.lot_id == lot_id)
                .values(on_hand=table.c.on_hand + on_hand,
                        quarantined=table.c.quarantined + quarantined,
                        available=table.c.available + available))
        if session.execute(stmt).rowcount:
            continue
        try:
            with session.begin_nested():
                session.execute(insert(table).values(
                    location_id=location_id, trial_id=trial_id, lot_id=lot_id,
                    product_id=product_id,
                    on_hand=on_hand, quarantined=quarantined, available=available))
        except IntegrityError:  # another transaction created the row first
            session.execute(stmt)


def transition(session, kit, to_state, event, *, by=None, reason=None, document_ref=None,
               occurred_at=None, to_location=None, reversal_of=None):
    """Move one kit to a new state (and place), writing ledger, balance and audit; return the entry.

    The kit row is changed only WHERE it still has the state and place the caller saw, so of
    two users acting on the same kit exactly one wins; the other gets a DomainError.
    """
    return move_kits(session, [kit], to_state, event, by=by, reason=reason,
                     document_ref=document_ref, occurred_at=occurred_at,
                     to_location=to_location, reversal_of=reversal_of)[0]


def _check_moves(kits, to_state, event, by, occurred_at, reversal_of=None):
    """Refuse a future date or an undeclared move; return (actor, now, occurred_at)."""
    actor = actor_of(by)
    now = utcnow()
    occurred_at = occurred_at or now
    if occurred_at > now:
        raise DomainError(_("The date of a stock event cannot be in the future."), "occurred_at")
    for kit in kits:
        check_kit_move(kit, to_state, event, reversal_of)
    return actor, now, occurred_at


def move_kits(session, kits, to_state, event, *, by=None, reason=None, document_ref=None,
              occurred_at=None, to_location=None, reversal_of=None):
    """Apply the same declared transition to several kits, all or nothing; return the entries."""
    actor, now, occurred_at = _check_moves(kits, to_state, event, by, occurred_at, reversal_of)
    changes = defaultdict(lambda: [0, 0, 0])
    entries = []
    for kit in kits:
        state_before, location_before = kit.state, kit.location_id
        location_after = to_location.id if to_location is not None else location_before
        try:
            result = session.execute(
                update(Kit)
                .where(Kit.id == kit.id, Kit.state == state_before,
                       Kit.location_id == location_before)
                .values(state=to_state, location_id=location_after, updated_at=now)
                .execution_options(synchronize_session=False))
        except OperationalError as error:  # SQLite: another writer committed first
            raise DomainError(KIT.conflict(kit)) from error
        if result.rowcount != 1:
            raise DomainError(KIT.conflict(kit))
        set_committed_value(kit, "state", to_state)
        set_committed_value(kit, "location_id", location_after)
        if to_location is not None:
            set_committed_value(kit, "location", to_location)
        # The ledger line sits where the change happened: the origin of a transfer out.
        where = location_before if event != "transfer_in" else location_after
        d = deltas(state_before, to_state)
        key = (where, kit.trial_id, kit.lot_id, kit.product_id)
        for i in range(3):
            changes[key][i] += d[i]
        entry = StockEntry(
            event=event, kit_id=kit.id, trial_id=kit.trial_id, location_id=where, lot_id=kit.lot_id,
            product_id=kit.product_id, state_before=state_before, state_after=to_state,
            on_hand_delta=d[0], quarantined_delta=d[1], available_delta=d[2],
            occurred_at=occurred_at, recorded_at=now, user_id=actor.id, user_name=actor.name,
            document_ref=document_ref or None, reason=reason or None,
            reversal_of_id=reversal_of.id if reversal_of is not None else None)
        session.add(entry)
        entries.append(entry)
        audit_changes = {"state": (state_before, to_state)}
        if location_after != location_before:
            audit_changes["location_id"] = (location_before, location_after)
        record_event(session, KIT.action_name(event), KIT.audit_type, kit.id, label=kit.kit_number,
                     changes=audit_changes, reason=reason)
    session.flush()
    apply_balance_deltas(session, changes)
    return entries


def reverse_entry(session, entry, *, by=None, reason):
    """Correct an earlier ledger line with a new one that undoes it; return the new entry."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the correction."), "reason")
    if entry.event not in REVERSIBLE_EVENTS:
        raise DomainError(_("This kind of ledger line cannot be reversed here."))
    if entry.reversal_of_id is not None:
        raise DomainError(_("A correction cannot itself be reversed; record a new event."))
    if session.scalar(select(StockEntry.id).where(StockEntry.reversal_of_id == entry.id)):
        raise DomainError(_("This ledger line has already been reversed."))
    kit = entry.kit
    if kit.state != entry.state_after or kit.location_id != entry.location_id:
        raise DomainError(_("Kit %(kit)s has moved on since this line; only its latest event "
                            "can be reversed.", kit=kit.kit_number))
    # Back along the path it came (e.g. damaged -> available) as an adjustment line.
    return move_kits(session, [kit], entry.state_before, "adjustment", by=by, reason=reason,
                     reversal_of=entry)[0]


def ledger_totals(session):
    """Return {(location, trial, lot): (on_hand, quarantined, available)} summed from the ledger."""
    rows = session.execute(
        select(StockEntry.location_id, StockEntry.trial_id, StockEntry.lot_id,
               func.sum(StockEntry.on_hand_delta), func.sum(StockEntry.quarantined_delta),
               func.sum(StockEntry.available_delta))
        .group_by(StockEntry.location_id, StockEntry.trial_id, StockEntry.lot_id))
    return {(loc, trial, lot): (int(a or 0), int(b or 0), int(c or 0))
            for loc, trial, lot, a, b, c in rows}


def verify_balances(session, repair=False):
    """Compare the balances with the ledger; return the differences (and fix them if asked)."""
    expected = ledger_totals(session)
    actual = {(b.location_id, b.trial_id, b.lot_id): b
              for b in session.scalars(select(StockBalance))}
    differences = []
    for key in sorted(set(expected) | set(actual)):
        want = expected.get(key, (0, 0, 0))
        row = actual.get(key)
        have = (row.on_hand, row.quarantined, row.available) if row else (0, 0, 0)
        if want != have:
            differences.append((key, have, want))
            if repair and row is not None:
                row.on_hand, row.quarantined, row.available = want
    if repair:
        session.flush()
    return differences


BULK_CHUNK = 900  # ids per conditional UPDATE (under SQLite's bound-parameter limit)


def move_kits_in_bulk(session, kits, to_state, event, *, by=None, reason=None,
                      document_ref=None, occurred_at=None, to_location=None):
    """Apply one declared transition to thousands of kits at once; return how many moved.

    The same rules and records as ``move_kits`` (declared move, conditional UPDATE on the
    state and place each kit was seen in, one ledger line and one audit entry per kit,
    balances), written as chunked UPDATEs and one multi-row INSERT instead of a round trip
    per kit. All or nothing: a kit someone else moved first refuses the whole call. ``kits``
    may be Kit rows or plain result rows with the same attribute names (cheaper to load).
    """
    actor, now, occurred_at = _check_moves(kits, to_state, event, by, occurred_at)
    # Who acts is looked up once, not once per kit's audit entry.
    pinned = "audit_actor" not in session.info
    if pinned:
        session.info["audit_actor"] = current_actor(session)
    try:
        return _move_in_bulk(session, kits, to_state, event, actor, now, occurred_at, reason,
                             document_ref, to_location)
    finally:
        if pinned:
            session.info.pop("audit_actor", None)


def _move_in_bulk(session, kits, to_state, event, actor, now, occurred_at, reason,
                  document_ref, to_location):
    groups = defaultdict(list)
    for kit in kits:
        groups[(kit.state, kit.location_id)].append(kit)
    changes = defaultdict(lambda: [0, 0, 0])
    rows = []
    for (state_before, location_before), members in groups.items():
        location_after = to_location.id if to_location is not None else location_before
        where = location_before if event != "transfer_in" else location_after
        d = deltas(state_before, to_state)
        for start in range(0, len(members), BULK_CHUNK):
            chunk = members[start:start + BULK_CHUNK]
            try:
                result = session.execute(
                    update(Kit).where(Kit.id.in_([k.id for k in chunk]),
                                      Kit.state == state_before,
                                      Kit.location_id == location_before)
                    .values(state=to_state, location_id=location_after, updated_at=now)
                    .execution_options(synchronize_session=False))
            except OperationalError as error:  # SQLite: another writer committed first
                raise DomainError(KIT.conflict(chunk[0])) from error
            if result.rowcount != len(chunk):
                raise DomainError(KIT.conflict(chunk[0]))
        for kit in members:
            if isinstance(kit, Kit):
                set_committed_value(kit, "state", to_state)
                set_committed_value(kit, "location_id", location_after)
            key = changes[(where, kit.trial_id, kit.lot_id, kit.product_id)]
            for i in range(3):
                key[i] += d[i]
            rows.append({
                "event": event, "kit_id": kit.id, "trial_id": kit.trial_id,
                "location_id": where, "lot_id": kit.lot_id, "product_id": kit.product_id,
                "state_before": state_before, "state_after": to_state,
                "on_hand_delta": d[0], "quarantined_delta": d[1], "available_delta": d[2],
                "occurred_at": occurred_at, "recorded_at": now, "user_id": actor.id,
                "user_name": actor.name, "document_ref": document_ref or None,
                "reason": reason or None, "reversal_of_id": None})
            audit_changes = {"state": (state_before, to_state)}
            if location_after != location_before:
                audit_changes["location_id"] = (location_before, location_after)
            record_event(session, KIT.action_name(event), KIT.audit_type, kit.id,
                         label=kit.kit_number, changes=audit_changes, reason=reason)
    insert_rows(session, StockEntry.__table__, rows)  # one COPY on PostgreSQL
    apply_balance_deltas(session, changes)
    moved = {row["kit_id"] for row in rows}
    for loaded in list(session.identity_map.values()):  # Kit objects read before: reload
        if isinstance(loaded, Kit) and loaded.id in moved:
            session.expire(loaded, ["state", "location_id", "location", "updated_at"])
    return len(rows)
