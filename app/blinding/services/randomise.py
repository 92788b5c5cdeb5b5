"""Randomising a subject: eligibility, strata, the next free number of the stratum, at once.

The number is taken by one conditional UPDATE (``WHERE subject_id IS NULL``) of the first free
slot of the stratum, retried when another site took it first; a unique index on the slot's
subject makes a subject randomised once even under a race.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app.audit.services import record_event
from app.blinding.models import CodeBreak, Randomisation, RandomisationSlot
from app.blinding.services.lists import list_in_use
from app.core.errors import DomainError
from app.core.models import utcnow
from app.esign.services import sign

ATTEMPTS = 50


def environment():
    """Return which lists this installation randomises from (production, testing, training)."""
    return current_app.config.get("RANDOMISATION_ENVIRONMENT", "production")


def stratum_label(parameters, strata):
    """Return the stratum label for the levels entered; raise when one is missing or unknown."""
    parts = []
    for index, factor in enumerate(parameters.get("strata") or []):
        level = (strata or {}).get(factor["name"], "")
        if level not in factor["levels"]:
            raise DomainError(_("Choose a level for %(factor)s.", factor=factor["name"]),
                              f"stratum_{index}")
        parts.append(f"{factor['name']}={level}")
    return "; ".join(parts)


def randomisation_of(session, subject):
    """Return the subject's randomisation, or None."""
    return session.scalar(select(Randomisation).where(Randomisation.subject_id == subject.id))


def check_can_randomise(session, subject, by):
    """Refuse a subject at a site not the user's, not enrolled, or already randomised."""
    if not by.sees_site("blinding.randomise", subject.site_id):
        raise DomainError(_("You can only randomise subjects at your own sites."), "subject_id")
    if subject.status != "enrolled":
        raise DomainError(_("Subject %(s)s is not enrolled; only enrolled subjects are "
                            "randomised.", s=subject.code), "subject_id")
    done = randomisation_of(session, subject)
    if done is not None:
        raise DomainError(_("Subject %(s)s is already randomised (number %(n)s).",
                            s=subject.code, n=done.number), "subject_id")


def randomise(session, subject, *, strata, eligible, by):
    """Give the subject the next free number of their stratum; return the Randomisation."""
    check_can_randomise(session, subject, by)
    if not eligible:
        raise DomainError(_("Confirm that the subject meets every eligibility criterion."),
                          "eligible")
    rlist = list_in_use(session, subject.trial, environment())
    if rlist is None:
        raise DomainError(_("This trial has no verified randomisation list; nobody can be "
                            "randomised yet."), "subject_id")
    label = stratum_label(rlist.parameters, strata)
    now = utcnow()
    try:
        slot_id = _take_slot(session, rlist, label, subject, by, now)
    except (IntegrityError, OperationalError) as error:
        raise DomainError(_("Someone randomised at the same moment; nothing was saved. Please "
                            "try again."), "subject_id") from error
    number = session.scalar(select(RandomisationSlot.number).where(
        RandomisationSlot.id == slot_id))
    done = Randomisation(subject_id=subject.id, slot_id=slot_id, number=number,
                         strata={k: v for k, v in (strata or {}).items() if v},
                         randomised_at=now, randomised_by_id=by.id)
    session.add(done)
    session.flush()
    return done


def _take_slot(session, rlist, label, subject, by, now):
    for _attempt in range(ATTEMPTS):
        slot_id = session.scalar(
            select(RandomisationSlot.id).where(
                RandomisationSlot.list_id == rlist.id, RandomisationSlot.stratum == label,
                RandomisationSlot.subject_id.is_(None))
            .order_by(RandomisationSlot.sequence).limit(1))
        if slot_id is None:
            raise DomainError(_("No randomisation number is left in this stratum; tell the "
                                "unblinded supply team."), "subject_id")
        taken = session.execute(
            update(RandomisationSlot)
            .where(RandomisationSlot.id == slot_id, RandomisationSlot.subject_id.is_(None))
            .values(subject_id=subject.id, randomised_at=now, randomised_by_id=by.id)
            .execution_options(synchronize_session=False))
        if taken.rowcount == 1:
            return slot_id
    raise DomainError(_("Someone randomised at the same moment; nothing was saved. Please try "
                        "again."), "subject_id")


def arm_of_subject(session, subject):
    """Return the subject's arm (unblinded callers only), or None when not randomised."""
    return session.scalar(select(RandomisationSlot.arm).join(
        Randomisation, Randomisation.slot_id == RandomisationSlot.id).where(
        Randomisation.subject_id == subject.id))


def break_code(session, subject, *, reason, adverse_event, by, password):
    """Break the code for one subject by e-signature ("Code broken"); return the CodeBreak.

    The caller shows the arm to the breaker only; the notice to the sponsor contact and the
    monitor never carries it.
    """
    if not by.sees_site("blinding.break", subject.site_id):
        raise DomainError(_("You can only break the code for subjects at your own sites."),
                          "subject_id")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("State why the code must be broken."), "reason")
    if randomisation_of(session, subject) is None:
        raise DomainError(_("Subject %(s)s is not randomised; there is no code to break.",
                            s=subject.code), "subject_id")
    record = CodeBreak(subject_id=subject.id, reason=reason, adverse_event=bool(adverse_event),
                       broken_by_id=by.id, broken_at=utcnow())
    session.add(record)
    session.flush()
    sign(session, record, meaning="code_broken", signer=by, password=password)
    record_event(session, "code_broken", "subject", subject.id, label=subject.code,
                 reason=reason)
    from app.blinding.services.notices import tell_code_broken

    tell_code_broken(session, record)
    return record
