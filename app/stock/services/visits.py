"""Dispensing by the visit schedule: the visit window, and a second kit only as a replacement."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.templating import local_date
from app.stock.models import REPLACEMENT_REASONS, Dispensing, KitReturn
from app.stock.services.kittypes import dispensed_at_visit, kit_type_of, visit_needs


def visit_window(subject, visit):
    """Return (due, earliest, latest) dates of the visit for the subject, or None."""
    if subject.enrolment_date is None or visit is None:
        return None
    due = subject.enrolment_date + timedelta(days=visit.day_offset)
    return (due, due - timedelta(days=visit.window_before or 0),
            due + timedelta(days=visit.window_after or 0))


def check_visit(session, subject, visit, on_date, *, replacement_reason=None, explanation=None,
                off_window_reason=None):
    """Check the reasons a dispensing gives; return them cleaned.

    Outside the visit window the pharmacist must say why; a replacement names its reason
    (damaged, lost, other) and explains it.
    """
    replacement_reason = (replacement_reason or "").strip() or None
    explanation = (explanation or "").strip() or None
    off_window_reason = (off_window_reason or "").strip() or None
    if replacement_reason is not None and replacement_reason not in REPLACEMENT_REASONS:
        raise DomainError(_("Choose why the kit is replaced."), "replacement_reason")
    if replacement_reason is not None and explanation is None:
        raise DomainError(_("Explain what happened to the kit that is replaced."),
                          "explanation")
    for text, field in ((explanation, "explanation"), (off_window_reason, "off_window_reason")):
        if text is not None and len(text) > 500:
            raise DomainError(_("At most 500 characters."), field)
    window = visit_window(subject, visit)
    if window is not None and not window[1] <= on_date <= window[2]:
        if off_window_reason is None:
            raise DomainError(_(
                "Visit %(visit)s of %(subject)s was due on %(due)s (window %(first)s to "
                "%(last)s); today is %(today)s. Give the reason for dispensing outside the "
                "window.", visit=visit.number, subject=subject.code, due=local_date(window[0]),
                first=local_date(window[1]), last=local_date(window[2]),
                today=local_date(on_date)), "off_window_reason")
    else:
        off_window_reason = None
    return {"replacement_reason": replacement_reason, "explanation": explanation,
            "off_window_reason": off_window_reason}


def check_second_kit(session, subject, visit, kit, extra):
    """Return the dispensing a replacement replaces, None for a due kit; refuse a second kit.

    The visit gives the quantity of each kit type it names (one kit when it names none); a
    kit beyond that quantity is only given as a replacement with its reason.
    """
    kit_type = kit_type_of(session, kit)
    needs = visit_needs(session, visit)
    quantity = next((n.quantity for n in needs if kit_type and n.kit_type_id == kit_type.id), 1)
    same = [d for d in dispensed_at_visit(session, subject, visit)
            if not needs or kit_type_of(session, d.kit) == kit_type]
    originals = [d for d in same if d.replaces_id is None]
    if len(originals) < quantity:
        if extra["replacement_reason"] is not None:
            raise DomainError(_("%(subject)s has not yet received this visit's kit, so there "
                                "is nothing to replace.", subject=subject.code),
                              "replacement_reason")
        return None
    if extra["replacement_reason"] is None:
        last = same[-1]
        raise DomainError(_(
            "%(subject)s already received kit %(kit)s at visit %(visit)s on %(date)s. A second "
            "kit is only given as a replacement: choose why and explain it.",
            subject=subject.code, kit=last.kit.kit_number, visit=visit.number,
            date=local_date(last.dispensed_at)), "replacement_reason")
    return same[-1]


def replacement_kit_type(session, subject, visit):
    """Return the kit type of the subject's last kit at the visit (what a replacement gives)."""
    given = dispensed_at_visit(session, subject, visit)
    return kit_type_of(session, given[-1].kit) if given else None


def subject_schedule(session, subject):
    """Return the subject's visits: (visit, window or None, kit types needed, dispensings)."""
    given = {}
    for dispensing in session.scalars(select(Dispensing).where(
            Dispensing.subject_id == subject.id).order_by(Dispensing.id)):
        given.setdefault(dispensing.visit_id, []).append(
            (dispensing, kit_type_of(session, dispensing.kit), compliance(session, dispensing)))
    return [(visit, visit_window(subject, visit), visit_needs(session, visit),
             given.get(visit.id, []))
            for visit in subject.trial.visits if visit.active or visit.id in given]


def compliance(session, dispensing):
    """Return (units expected to be taken, units taken, percent) once the kit came back.

    A kit is meant to be used up by the next visit: every unit of it is expected to be
    taken; units taken are the units not returned (missing units count as not taken).
    """
    kit_return = session.scalar(select(KitReturn).where(KitReturn.kit_id == dispensing.kit_id))
    if kit_return is None:
        return None
    expected = dispensing.kit.product.units_per_kit
    taken = max(0, expected - kit_return.units_returned - kit_return.units_missing)
    return expected, taken, round(100 * taken / expected) if expected else None

