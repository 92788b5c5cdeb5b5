"""The stock state machines, declared as data: kits (the ledger) and lots (their release)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.stock.models import KIT_STATES, LOT_STATUSES, Kit, Lot

# States in which a kit is physically at its location (counted as on hand).
ON_HAND_STATES = frozenset({"available", "quarantined", "damaged", "expired", "received",
                            "returned", "pending_destruction"})
# States from which a kit may be shipped or dispensed.
USABLE_STATES = frozenset({"available", "received"})
# Events a correction may reverse (dispensing and returns carry their own records).
REVERSIBLE_EVENTS = frozenset({"quarantine", "release", "damage", "loss", "expiry",
                               "adjustment"})


def _kit_moves():
    """Return the kit transitions; the event names are the ledger events they write."""
    moves = [(None, "receipt", "available")]
    for usable in ("available", "received"):
        moves += [(usable, "transfer_out", "in_transit"), (usable, "quarantine", "quarantined"),
                  (usable, "damage", "damaged"), (usable, "loss", "missing"),
                  (usable, "expiry", "expired"), (usable, "dispense", "dispensed"),
                  (usable, "adjustment", "pending_destruction")]
    moves += [
        ("in_transit", "transfer_in", "received"),
        ("in_transit", "transfer_in", "quarantined"),  # received after an excursion
        ("in_transit", "quarantine", "quarantined"),
        ("in_transit", "transfer_in", "damaged"),  # found damaged in the box
        ("in_transit", "damage", "damaged"),
        ("in_transit", "loss", "missing"),
        ("quarantined", "release", "available"),
        ("quarantined", "damage", "damaged"),
        ("quarantined", "expiry", "expired"),
        ("quarantined", "loss", "missing"),
        ("quarantined", "adjustment", "pending_destruction"),
        ("quarantined", "transfer_out", "in_transit"),
        ("damaged", "adjustment", "pending_destruction"),
        ("damaged", "transfer_out", "in_transit"),
        ("expired", "adjustment", "pending_destruction"),
        ("expired", "transfer_out", "in_transit"),
        ("missing", "adjustment", "available"),  # found again
        ("dispensed", "return", "returned"),
        ("returned", "adjustment", "pending_destruction"),
        ("returned", "transfer_out", "in_transit"),
        ("pending_destruction", "transfer_out", "in_transit"),
        ("pending_destruction", "destruction", "destroyed"),
    ]
    return [Transition(source, event, target) for source, event, target in moves]


# The stock ledger applies these (app/stock/services/ledger.py): it also moves the kit's place
# and writes the ledger line and balances, so it runs its own conditional UPDATE after
# validating every kit against this table. A correction goes back along a declared move.
KIT = StateMachine(
    name="kit",
    model=Kit,
    states=KIT_STATES,
    transitions=_kit_moves(),
    column="state",
    record_name=_l("Kit"),
    label_of=lambda kit: _("Kit %(kit)s", kit=kit.kit_number),
    audit_action=lambda event: f"kit_{event}",
    audit_type="kit",
)

LOT_EVENTS = {
    "release": _l("Release the lot"), "reject": _l("Reject the lot"),
    "recall": _l("Recall the lot"), "hold": _l("Put the lot back in quarantine"),
    "expire": _l("Record the lot as expired"),
    "certify": _l("QP certification"),
}


def _lot_change(source, event, target):
    return Transition(source, event, target, permission="stock.manage", reason=True)


# A lot is registered in quarantine or already released (the lot form offers both); after
# that its status only changes through these events, each with a reason. A lot in quarantine
# is released in two steps driven by labelling: the QP certifies it (e-signature), then the
# first release for a country makes it released (app/labelling/services/release.py).
LOT = StateMachine(
    name="lot",
    model=Lot,
    states=LOT_STATUSES,
    transitions=[
        Transition(None, "register", "quarantine", permission="stock.manage"),
        Transition(None, "register", "released", permission="stock.manage"),
        Transition("quarantine", "certify", "certified", permission="labelling.certify",
                   signature="certified"),
        Transition("certified", "release", "released", permission="labelling.release"),
        _lot_change("certified", "hold", "quarantine"),
        _lot_change("certified", "reject", "rejected"),
        _lot_change("certified", "expire", "expired"),
        _lot_change("quarantine", "reject", "rejected"),
        _lot_change("quarantine", "expire", "expired"),
        _lot_change("released", "hold", "quarantine"),
        _lot_change("released", "recall", "recalled"),
        _lot_change("released", "expire", "expired"),
        _lot_change("recalled", "release", "released"),
        _lot_change("recalled", "reject", "rejected"),
        _lot_change("recalled", "expire", "expired"),
    ],
    record_name=_l("Lot"),
    label_of=lambda lot: _("Lot %(lot)s", lot=lot.number),
    audit_action=lambda event: f"lot_{event}",
    audit_type="lot",
)
