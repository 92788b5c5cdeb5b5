"""One colour meaning per family of states: every status badge takes its colour from here.

A template draws a state with ``status_badge(kind, state, labels)`` (templates/_macros/
badges.html); the badge's colour is the state's family, and each family has one CSS rule
(``.badge.state-<family>`` in app/static/css/app.css). A new state gets its family here.
"""

NEUTRAL = "neutral"  # not started yet: draft, new, in set-up
INFO = "info"  # moving along its normal path
SUCCESS = "success"  # done, available, paid
WARNING = "warning"  # waiting for a decision, quarantined, needs attention
DANGER = "danger"  # refused, rejected, damaged, missing, expired
MUTED = "muted"  # over: closed, cancelled, destroyed

FAMILIES = (NEUTRAL, INFO, SUCCESS, WARNING, DANGER, MUTED)

# state -> family. A (kind, state) key gives the family where one kind's state means
# something else than the same word elsewhere (a released batch is on its way to the bank;
# a released lot is available).
STATE_FAMILIES = {
    "draft": NEUTRAL, "setup": NEUTRAL, "screening": NEUTRAL, "proposed": NEUTRAL,
    "ordered": INFO, "picked": INFO, "packed": INFO, "shipped": INFO, "delivered": INFO,
    "in_transit": INFO, "submitted": INFO, "validated": INFO, "approved": INFO,
    "in_batch": INFO, "enrolled": INFO, ("batch", "released"): INFO, "certified": INFO,
    "requested": INFO, "printed": WARNING, "retired": MUTED,
    "available": SUCCESS, "received": SUCCESS, "released": SUCCESS, "dispensed": SUCCESS,
    "paid": SUCCESS, "active": SUCCESS, "completed": SUCCESS, "resolved": SUCCESS,
    "verified": SUCCESS,
    ("expiry", "ok"): SUCCESS, ("job", "queued"): NEUTRAL, ("job", "running"): INFO,
    ("job", "ready"): SUCCESS, ("job", "failed"): DANGER,
    ("reconciliation", "closed"): INFO, ("reconciliation", "verified"): SUCCESS,
    ("destruction_batch", "witnessed"): INFO, ("destruction_batch", "executed"): MUTED,
    "quarantine": WARNING, "quarantined": WARNING, "on_hold": WARNING, "returned": WARNING,
    "pending_destruction": WARNING, "open": WARNING, "past_dns": WARNING,
    "rejected": DANGER, "damaged": DANGER, "missing": DANGER, "expired": DANGER,
    "recalled": DANGER, "past_dnd": DANGER, ("code_break", "broken"): DANGER,
    "closed": MUTED, "cancelled": MUTED, "destroyed": MUTED, "withdrawn": MUTED,
    "screen_failed": MUTED, "inactive": MUTED, "dropped": MUTED,
    # cell therapy: the order's steps and the dry shipper's life
    **{("therapy_order", s): INFO for s in ("collected", "to_lab", "at_lab", "manufacturing",
                                            "to_site", "stored", "thawed")},
    ("therapy_order", "scheduled"): NEUTRAL, ("therapy_order", "out_of_spec"): WARNING,
    ("therapy_order", "failed"): DANGER, ("therapy_order", "infused"): SUCCESS,
    ("dry_shipper", "charged"): SUCCESS, ("dry_shipper", "in_use"): INFO,
    ("dry_shipper", "requalification"): WARNING, ("dry_shipper", "retired"): MUTED,
    ("condition_leg", "none"): SUCCESS, ("condition_leg", "pending"): WARNING,
    ("condition_leg", "accepted"): SUCCESS,
    # masking and placebo batch records (issue 14)
    ("batch_record", "in_production"): INFO, ("batch_record", "awaiting_qa"): WARNING,
    # devices (issue 15)
    "in_stock": SUCCESS, "allocated": INFO, "at_site": SUCCESS, "in_use": INFO,
    "in_calibration": WARNING, "out_of_service": DANGER,
    "performed": INFO, "authorised": SUCCESS, "pass": SUCCESS, "conditional_pass": WARNING,
    "conditional_fail": DANGER, "fail": DANGER,
}


def has_family(state, kind=None):
    """Return True when the state (of this kind) has a family declared above."""
    return (kind, state) in STATE_FAMILIES or state in STATE_FAMILIES


def state_family(state, kind=None):
    """Return the family (and so the colour) of a state of a kind of record."""
    return STATE_FAMILIES.get((kind, state)) or STATE_FAMILIES.get(state, NEUTRAL)
