"""One state-machine helper: transitions declared as data, applied by one function.

A domain lists its transitions (from state, event, to state, permission, reason or signature
needed) in a ``StateMachine``. ``apply_transition`` moves a record with a conditional UPDATE
(``WHERE id = :id AND <state> = :state seen``), checks the row count, writes the audit entry
with the old and new state and the reason in the same transaction, and refuses in plain words
when the move is not declared or someone else changed the record first.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from app.core.errors import DomainError
from app.core.models import utcnow


@dataclass(frozen=True)
class Transition:
    """One allowed move: source state, event, target state and what it requires."""

    source: str | None
    event: str
    target: str
    permission: str | None = None
    reason: bool = False
    signature: str | None = None  # the e-signature meaning the move needs, if any

    def needs(self, markup=False):
        """Return what the move requires, in words (for the printed diagram and the docs)."""
        needs = []
        if self.permission:
            needs.append(f"`{self.permission}`" if markup else f"permission {self.permission}")
        if self.reason:
            needs.append("reason")
        if self.signature:
            needs.append(f"e-signature “{self.signature}”" if markup
                         else f"e-signature '{self.signature}'")
        return needs


@dataclass
class StateMachine:
    """The declared states and transitions of one kind of record."""

    name: str
    model: type
    states: dict  # state -> translated label
    transitions: list
    column: str = "status"
    record_name: object = _l("Record")
    label_of: object = None  # record -> its human label ("Kit 0070201"), default its id
    stamps: dict = field(default_factory=dict)  # target state -> timestamp column set on entry
    audit_action: object = None  # event -> audit action name; default "<name>_<event>"
    audit_type: str | None = None
    audit_label: object = None  # record -> label of its audit entries; default label_of

    def __post_init__(self):
        machines()[self.name] = self
        for t in self.transitions:
            for state in (t.source, t.target):
                if state is not None and state not in self.states:
                    raise ValueError(f"{self.name}: unknown state {state!r}")

    # -- reading the table -------------------------------------------------------------
    def find(self, source, event, target=None):
        """Return the declared transition for (source, event[, target]) or None."""
        for t in self.transitions:
            if t.source == source and t.event == event and (target is None or t.target == target):
                return t
        return None

    def events_from(self, source):
        """Return the transitions that leave a state, in declaration order."""
        return [t for t in self.transitions if t.source == source]

    def targets_from(self, source):
        """Return the states reachable in one step from a state."""
        return sorted({t.target for t in self.transitions if t.source == source})

    def available(self, record, user):
        """Return the transitions the user may apply to the record now."""
        state = getattr(record, self.column)
        return [t for t in self.events_from(state)
                if t.permission is None or (user is not None and user.can(t.permission))]

    def label(self, state):
        """Return the translated label of a state."""
        if state is None:
            return _("(new)")
        return str(self.states.get(state, state))

    def record_label(self, record):
        """Return how a person names the record ("Shipment ENV-000012")."""
        if self.label_of is not None:
            return self.label_of(record)
        return f"{self.record_name} {record.id}"

    def action_name(self, event):
        """Return the audit action written for an event."""
        if self.audit_action is not None:
            return self.audit_action(event)
        return f"{self.name}_{event}"

    # -- refusing in plain words -----------------------------------------------------------
    def refusal(self, record, event, target=None):
        """Return why the event cannot happen to the record now, or None when it can."""
        state = getattr(record, self.column)
        if self.find(state, event, target) is not None:
            return None
        name = self.record_label(record)
        now = self.label(state)
        goal = target or next((t.target for t in self.transitions if t.event == event), None)
        if goal is not None and state == goal:
            return _("%(record)s is already %(state)s.", record=name, state=now)
        if not self.events_from(state):
            return _("%(record)s is %(state)s; nothing more can happen to it.",
                     record=name, state=now)
        if goal is None:
            return _("%(record)s is %(state)s; this cannot be done to it.", record=name,
                     state=now)
        return _("%(record)s is %(state)s; it cannot become %(target)s.",
                 record=name, state=now, target=self.label(goal))

    def conflict(self, record):
        """Return the message for the loser of a race on the same record."""
        return _("%(record)s was changed by someone else a moment ago. Nothing was saved; "
                 "reload the page to see its current state.", record=self.record_label(record))

    # -- the diagram -----------------------------------------------------------------------
    def diagram(self):
        """Return the machine as text lines: 'from --event--> to [needs]'."""
        lines = [f"{self.name}: {len(self.states)} states, {len(self.transitions)} transitions"]
        for t in self.transitions:
            needs = t.needs()
            tail = f"  [{', '.join(needs)}]" if needs else ""
            lines.append(f"  {t.source or '(new)'} --{t.event}--> {t.target}{tail}")
        return lines

    def mermaid(self):
        """Return the machine as a Mermaid state diagram (for the docs page)."""
        lines = ["stateDiagram-v2"]
        for t in self.transitions:
            lines.append(f"    {t.source or '[*]'} --> {t.target}: {t.event}")
        return "\n".join(lines)


_MACHINES = {}


def markdown(machine_list):
    """Return the README section that documents the machines (``flask states docs``)."""
    out = []
    for machine in machine_list:
        model = machine.model.__name__
        out.append(f"### `{machine.name}` ({model}.{machine.column})")
        out.append("")
        out.append("| from | event | to | needs |")
        out.append("|---|---|---|---|")
        for t in machine.transitions:
            needs = t.needs(markup=True)
            out.append(f"| {t.source or '(new)'} | {t.event} | {t.target} | "
                       f"{', '.join(needs) or '—'} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def machines():
    """Return every declared state machine by name."""
    return _MACHINES


def check_transition(machine, record, event, *, target=None, by=None, reason=None,
                     signature=None):
    """Return the declared transition, or raise DomainError saying why it cannot happen."""
    message = machine.refusal(record, event, target)
    if message:
        raise DomainError(message)
    step = machine.find(getattr(record, machine.column), event, target)
    if step.permission and by is not None and hasattr(by, "can") and not by.can(step.permission):
        raise DomainError(_("You are not allowed to do this to %(record)s.",
                            record=machine.record_label(record)))
    if step.reason and not (reason or "").strip():
        raise DomainError(_("Give a reason."), "reason")
    if step.signature and (signature is None or signature.meaning != step.signature):
        raise DomainError(_("This step needs your electronic signature."), "password")
    return step


def apply_transition(session, machine, record, event, *, target=None, by=None, reason=None,
                     signature=None, values=None, where=(), changes=None, audit=True):
    """Move the record through a declared transition; return the Transition applied.

    The UPDATE only matches while the record still has the state the caller saw (plus any
    extra ``where`` conditions), so of two users racing exactly one wins; the other gets a
    DomainError. ``values`` are written with the state; ``changes`` are extra old/new pairs for
    the audit entry. Pass ``audit=False`` only when the caller writes its own audit entry.
    """
    step = check_transition(machine, record, event, target=target, by=by, reason=reason,
                            signature=signature)
    model = machine.model
    column = getattr(model, machine.column)
    before = getattr(record, machine.column)
    values = _values_written(machine, step.target, values)
    old_values = {key: getattr(record, key, None) for key in values}
    try:
        result = session.execute(
            update(model).where(model.id == record.id, column == before, *where)
            .values({machine.column: step.target, **values})
            .execution_options(synchronize_session=False))
    except OperationalError as error:  # SQLite: another writer committed first
        raise DomainError(machine.conflict(record)) from error
    if result.rowcount != 1:
        raise DomainError(machine.conflict(record))
    _record_move(session, machine, record, step, before, old_values, values, changes, reason,
                 audit)
    return step


def _values_written(machine, target, values):
    """Return the values an UPDATE writes with the new state: its time stamp, updated_at."""
    now = utcnow()
    values = dict(values or {})
    stamp = machine.stamps.get(target)
    if stamp:
        values.setdefault(stamp, now)
    if hasattr(machine.model, "updated_at"):
        values.setdefault("updated_at", now)
    return values


def _record_move(session, machine, record, step, before, old_values, values, changes, reason,
                 audit):
    """After the UPDATE: keep the loaded record in step and write its audit entry."""
    set_committed_value(record, machine.column, step.target)
    for key, value in values.items():
        set_committed_value(record, key, value)
    if not audit:
        return
    from app.audit.services import record_event

    audit_changes = {machine.column: (before, step.target)}
    for key, value in values.items():
        if key.endswith("_at") or old_values[key] == value:
            continue
        audit_changes[key] = (old_values[key], value)
    audit_changes.update(changes or {})
    label = (machine.audit_label(record) if machine.audit_label is not None
             else machine.record_label(record))
    record_event(session, machine.action_name(step.event),
                 machine.audit_type or _audit_type(machine.model), record.id, label=label,
                 changes=audit_changes, reason=(reason or "").strip() or None)


def _audit_type(model):
    return getattr(model, "__audit_type__", None) or model.__tablename__


def apply_transitions(session, machine, records, event, *, by=None, reason=None, values=None,
                      where=(), changes=None, conflict=None, audit=True):
    """Move several records in one state through one declared transition with one UPDATE.

    The bulk variant of ``apply_transition`` (a claim batch, a batch's claims paid): every
    record is checked with ``check_transition``, then one conditional UPDATE
    (``WHERE id IN (...) AND <state> = :seen``) must match every row, else ``conflict`` (a
    message or a DomainError; default the machine's) is raised and the caller's rollback
    (``perform``) undoes the rows that did match. One audit entry per record. Return the
    Transition applied.
    """
    records = list(records)
    if not records:
        return None
    steps = {check_transition(machine, record, event, by=by, reason=reason)
             for record in records}
    if len(steps) != 1:
        raise ValueError(f"{machine.name}: records in different states for {event!r}")
    step = steps.pop()
    model = machine.model
    column = getattr(model, machine.column)
    values = _values_written(machine, step.target, values)
    old_values = [{key: getattr(record, key, None) for key in values} for record in records]

    def refused():
        if isinstance(conflict, DomainError):
            return conflict
        return DomainError(conflict or machine.conflict(records[0]))

    try:
        result = session.execute(
            update(model).where(model.id.in_([r.id for r in records]), column == step.source,
                                *where)
            .values({machine.column: step.target, **values})
            .execution_options(synchronize_session=False))
    except OperationalError as error:  # SQLite: another writer committed first
        raise refused() from error
    if result.rowcount != len(records):
        raise refused()
    for record, old in zip(records, old_values, strict=True):
        _record_move(session, machine, record, step, step.source, old, values, changes, reason,
                     audit)
    return step
