"""Investigational device accountability per site (ISO 14155): events, frozen log, signatures."""

import json

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.core import clock
from app.core.errors import DomainError
from app.devices.models import DeviceEvent, DeviceLogReview
from app.devices.services.devices import check_usable, move
from app.esign.services import sign, signatures_for
from app.trials.api import Subject, TrialVisit

SIGN_MEANING, VERIFY_MEANING = "submitted", "verified"
# kind -> (states the device must be in, the machine event it causes or None)
EVENT_MOVES = {
    "use": (("at_site", "in_use"), None),
    "implant": (("at_site",), "start_use"),
    "explant": (("in_use",), "return"),
    "return_unused": (("at_site",), "return"),
    "return_faulty": (("at_site", "in_use"), "return"),
}


def record_event(session, device, *, kind, on_date, by, subject_id=None, visit_id=None,
                 reason=None, today=None):
    """Record a use, implantation, explant or return of a device at its site."""
    today = today or clock.today()
    if kind not in EVENT_MOVES:
        raise DomainError(_("Choose what happened to the device."), "kind")
    if on_date is None or on_date > today:
        raise DomainError(_("This date is in the future."), "on_date")
    states, event = EVENT_MOVES[kind]
    if device.site_id is None or device.status not in states:
        check_usable(session, device, "use", today, "serial")
        raise DomainError(_("Device %(serial)s is not at a site in a state that allows this.",
                            serial=device.serial), "serial")
    subject = visit = None
    if kind in ("use", "implant", "explant"):
        if kind != "explant":
            check_usable(session, device, "use", today, "serial")
        subject = session.get(Subject, subject_id) if subject_id else None
        if subject is None or subject.site_id != device.site_id:
            raise DomainError(_("Choose a subject of this device's site."), "subject_id")
        if kind != "explant":
            visit = session.get(TrialVisit, visit_id) if visit_id else None
            if visit is None or visit.trial_id != subject.trial_id:
                raise DomainError(_("Choose a visit of the subject's trial."), "visit_id")
    if kind in ("explant", "return_unused", "return_faulty") and not (reason or "").strip():
        raise DomainError(_("Give a reason."), "reason")
    entry = DeviceEvent(device_id=device.id, site_id=device.site_id,
                        trial_id=subject.trial_id if subject else device.trial_id, kind=kind,
                        subject_id=subject.id if subject else None,
                        visit_id=visit.id if visit else None, occurred_on=on_date,
                        reason=(reason or "").strip() or None, recorded_by_id=by.id)
    session.add(entry)
    session.flush()
    if event:
        move(session, device, event, by=by, reason=reason)
    return entry


def record_receipt(session, device, site_id, by, on_date=None):
    """The receipt line of a device that arrived at a site."""
    entry = DeviceEvent(device_id=device.id, site_id=site_id, trial_id=device.trial_id,
                        kind="receipt", occurred_on=on_date or clock.today(),
                        recorded_by_id=by.id if by else None)
    session.add(entry)
    session.flush()
    return entry


def compute(session, site_id, last_event_id=None):
    """Return the site's device figures up to an event: counts per kind and devices at site."""
    if last_event_id is None:
        last_event_id = session.scalar(select(func.max(DeviceEvent.id)).where(
            DeviceEvent.site_id == site_id)) or 0
    counts = dict(session.execute(
        select(DeviceEvent.kind, func.count()).where(
            DeviceEvent.site_id == site_id, DeviceEvent.id <= last_event_id)
        .group_by(DeviceEvent.kind)).all())
    returned = sum(counts.get(k, 0) for k in ("explant", "return_unused", "return_faulty"))
    counts = {kind: counts.get(kind, 0) for kind in
              ("receipt", "use", "implant", "explant", "return_unused", "return_faulty")}
    return {"counts": counts, "last_event_id": last_event_id,
            "held": counts["receipt"] - returned,
            "implanted": counts["implant"] - counts["explant"]}


def freeze(session, site, by):
    """Freeze the site's figures as of now into a log to sign."""
    figures = compute(session, site.id)
    review = DeviceLogReview(site_id=site.id, last_event_id=figures["last_event_id"],
                             totals=json.dumps(figures, sort_keys=True), created_by_id=by.id)
    session.add(review)
    session.flush()
    return review


def meaning_open_to(user, signed, site_id):
    """Return the meaning the user may sign the log with now, or None."""
    if user.can("devices.use") and user.sees_site("devices.use", site_id) \
            and SIGN_MEANING not in signed:
        return SIGN_MEANING
    if user.can("devices.verify") and SIGN_MEANING in signed and VERIFY_MEANING not in signed:
        return VERIFY_MEANING
    return None


def sign_log(session, review, *, meaning, signer, password):
    """The site signs its frozen log; the monitor then verifies it."""
    signed = {s.meaning for s in signatures_for(session, review)}
    if meaning_open_to(signer, signed, review.site_id) != meaning:
        raise DomainError(_("This log cannot be signed with that meaning by you now."))
    role = "site" if meaning == SIGN_MEANING else "monitor"
    try:
        return sign(session, review, meaning=meaning, signer=signer, password=password,
                    role=role)
    except OperationalError as error:
        raise DomainError(_("Someone else signed or changed this record at the same moment. "
                            "Reload the page and try again.")) from error
