"""Correcting a randomised subject's strata: a reason and QA's e-signature; the number stays."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import set_reason
from app.blinding.models import RandomisationList, RandomisationSlot, StrataCorrection
from app.blinding.services.randomise import stratum_label
from app.core.errors import DomainError
from app.core.models import utcnow
from app.esign.services import sign


def correct_strata(session, randomisation, *, strata, reason, by, password):
    """Record QA's signed correction of the strata and apply it to the randomisation."""
    if not by.can("blinding.strata"):
        raise DomainError(_("Only QA may correct the strata of a randomised subject."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for this change."), "reason")
    rlist = session.scalar(select(RandomisationList).join(
        RandomisationSlot, RandomisationSlot.list_id == RandomisationList.id).where(
        RandomisationSlot.id == randomisation.slot_id))
    stratum_label(rlist.parameters, strata)  # every factor given one of its levels
    new = {k: v for k, v in strata.items() if v}
    if new == randomisation.strata:
        raise DomainError(_("The strata are unchanged."), "stratum_0")
    record = StrataCorrection(randomisation_id=randomisation.id, old_strata=randomisation.strata,
                              new_strata=new, reason=reason, corrected_by_id=by.id,
                              corrected_at=utcnow())
    session.add(record)
    session.flush()
    sign(session, record, meaning="approved", signer=by, password=password)
    set_reason(session, reason)
    randomisation.strata = new
    session.flush()
    return record
