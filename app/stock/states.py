"""The kit state machine: an explicit table of allowed transitions and the events they write."""

from flask_babel import gettext as _

from app.stock.models import KIT_STATES

# States in which a kit is physically at its location (counted as on hand).
ON_HAND_STATES = frozenset({"available", "quarantined", "damaged", "expired", "received",
                            "returned", "pending_destruction"})
# States from which a kit may be shipped or dispensed.
USABLE_STATES = frozenset({"available", "received"})

# (from state, to state) -> the ledger events that may make that change.
TRANSITIONS = {
    (None, "available"): {"receipt"},
    ("available", "in_transit"): {"transfer_out"},
    ("available", "quarantined"): {"quarantine"},
    ("available", "damaged"): {"damage"},
    ("available", "missing"): {"loss"},
    ("available", "expired"): {"expiry"},
    ("available", "dispensed"): {"dispense"},
    ("available", "pending_destruction"): {"adjustment"},
    ("received", "in_transit"): {"transfer_out"},
    ("received", "quarantined"): {"quarantine"},
    ("received", "damaged"): {"damage"},
    ("received", "missing"): {"loss"},
    ("received", "expired"): {"expiry"},
    ("received", "dispensed"): {"dispense"},
    ("received", "pending_destruction"): {"adjustment"},
    ("in_transit", "received"): {"transfer_in"},
    ("in_transit", "quarantined"): {"transfer_in", "quarantine"},
    ("in_transit", "damaged"): {"transfer_in", "damage"},
    ("in_transit", "missing"): {"loss"},
    ("quarantined", "available"): {"release"},
    ("quarantined", "damaged"): {"damage"},
    ("quarantined", "expired"): {"expiry"},
    ("quarantined", "missing"): {"loss"},
    ("quarantined", "pending_destruction"): {"adjustment"},
    ("quarantined", "in_transit"): {"transfer_out"},
    ("damaged", "pending_destruction"): {"adjustment"},
    ("damaged", "in_transit"): {"transfer_out"},
    ("expired", "pending_destruction"): {"adjustment"},
    ("expired", "in_transit"): {"transfer_out"},
    ("missing", "available"): {"adjustment"},
    ("dispensed", "returned"): {"return"},
    ("returned", "pending_destruction"): {"adjustment"},
    ("returned", "in_transit"): {"transfer_out"},
    ("pending_destruction", "in_transit"): {"transfer_out"},
    ("pending_destruction", "destroyed"): {"destruction"},
}

# Events a correction may reverse (dispensing and returns carry their own records).
REVERSIBLE_EVENTS = frozenset({"quarantine", "release", "damage", "loss", "expiry",
                               "adjustment"})


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


def allowed_targets(state):
    """Return the states a kit may go to from this state."""
    return sorted({to for (frm, to) in TRANSITIONS if frm == state})


def refusal(kit_number, state, to_state, event):
    """Return a plain-words reason why the transition is not allowed, or None."""
    events = TRANSITIONS.get((state, to_state))
    if events and event in events:
        return None
    now = KIT_STATES.get(state, state)
    target = KIT_STATES.get(to_state, to_state)
    if state == "destroyed":
        return _("Kit %(kit)s has been destroyed; nothing more can happen to it.", kit=kit_number)
    if state == to_state:
        return _("Kit %(kit)s is already %(state)s.", kit=kit_number, state=now)
    if to_state == "dispensed":
        return _("Kit %(kit)s is %(state)s and cannot be dispensed; only available kits can.",
                 kit=kit_number, state=now)
    if to_state == "in_transit":
        return _("Kit %(kit)s is %(state)s and cannot be shipped.", kit=kit_number, state=now)
    return _("Kit %(kit)s is %(state)s; it cannot become %(target)s.",
             kit=kit_number, state=now, target=target)
