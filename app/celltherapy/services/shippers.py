"""Dry shippers: charge before each use, hold time against the transit, requalify, retire."""


from flask_babel import gettext as _
from sqlalchemy import select

from app.celltherapy.models import DryShipper
from app.celltherapy.states import SHIPPER
from app.core import clock
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.states import apply_transition
from app.core.templating import local_date


def register(session, *, code, id_kind, model_name, static_hold_hours, qualified_until):
    """Add a dry shipper to the tracked assets."""
    code = code.strip().upper()
    if id_kind == "grai" and not (code.isdigit() and 14 <= len(code) <= 30):
        raise DomainError(_("A GRAI is 14 digits (and an optional serial of up to 16 "
                            "digits)."), "code")
    if session.scalar(select(DryShipper.id).where(DryShipper.code == code)):
        raise DomainError(_("A dry shipper %(code)s exists already.", code=code), "code")
    shipper = DryShipper(code=code, id_kind=id_kind, model_name=model_name.strip(),
                         static_hold_hours=static_hold_hours, qualified_until=qualified_until)
    session.add(shipper)
    session.flush()
    return shipper


def refuse_unqualified(shipper, today=None):
    """Refuse a shipper whose qualification has run out."""
    today = today or clock.today()
    if shipper.qualified_until < today:
        raise DomainError(_("Dry shipper %(code)s is overdue for requalification (qualified "
                            "until %(date)s).", code=shipper.code,
                            date=local_date(shipper.qualified_until)), "shipper_code")


def charge(session, shipper, *, record, by):
    """Record the liquid-nitrogen charging before a use."""
    refuse_unqualified(shipper)
    if not (record or "").strip():
        raise DomainError(_("Describe the charging (nitrogen weight, who, when)."), "record")
    return apply_transition(session, SHIPPER, shipper, "charge", by=by,
                            values={"charge_record": record.strip()})


def dispatch_shipper(session, code, transit_hours, by, now=None):
    """Dispatch the scanned shipper if its hold time left covers the planned transit."""
    now = now or utcnow()
    shipper = session.scalar(select(DryShipper).where(
        DryShipper.code == (code or "").strip().upper()))
    if shipper is None:
        raise DomainError(_("No dry shipper has the number %(code)s.", code=code or "—"),
                          "shipper_code")
    if not transit_hours or transit_hours <= 0:
        raise DomainError(_("Enter the planned transit time in hours."), "transit_hours")
    refuse_unqualified(shipper, now.date())
    if shipper.status != "charged":
        raise DomainError(_("Dry shipper %(code)s is %(state)s: charge it before use.",
                            code=shipper.code, state=shipper.status_label), "shipper_code")
    left = shipper.hold_hours_left(now)
    if left < transit_hours:
        raise DomainError(_("Dry shipper %(code)s has %(left)s hours of hold time left, less "
                            "than the planned transit of %(transit)s hours. Recharge it or "
                            "use another.", code=shipper.code, left=f"{left:.0f}",
                            transit=transit_hours), "transit_hours")
    apply_transition(session, SHIPPER, shipper, "dispatch", by=by,
                     values={"uses": shipper.uses + 1})
    return shipper


def return_shipper(session, shipper, by):
    """Record the shipper back from a use: it waits for requalification."""
    return apply_transition(session, SHIPPER, shipper, "return", by=by)


def requalify(session, shipper, *, qualified_until, by):
    """Record the requalification after a use, with its new validity."""
    if qualified_until <= clock.today():
        raise DomainError(_("The new qualification must run beyond today."),
                          "qualified_until")
    return apply_transition(session, SHIPPER, shipper, "requalify", by=by,
                            values={"qualified_until": qualified_until, "charged_at": None})


def retire(session, shipper, *, reason, by):
    """Retire the shipper for good."""
    return apply_transition(session, SHIPPER, shipper, "retire", by=by, reason=reason)
