"""Kit rule: a randomised subject is dispensed only kits of their own arm, unseen.

Only dispensing to a randomised subject is narrowed; shipping is not (sites hold both arms).
The refusal is the same sentence, from the same queries, whatever the kit's or subject's arm.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.blinding.models import KitArm, Randomisation, RandomisationSlot
from app.core.errors import DomainError
from app.stock.api import Kit


def _subject_arm():
    return (select(RandomisationSlot.arm)
            .join(Randomisation, Randomisation.slot_id == RandomisationSlot.id))


def restrict(stmt, use):
    """Narrow a select(Kit) to kits of the subject's arm when the subject is randomised."""
    if use.purpose != "dispense" or use.subject is None:
        return stmt
    arm = _subject_arm().where(Randomisation.subject_id == use.subject.id).scalar_subquery()
    randomised = select(Randomisation.id).where(Randomisation.subject_id == use.subject.id)
    same_arm = select(KitArm.kit_id).where(KitArm.arm == arm)
    return stmt.where(~randomised.exists() | Kit.id.in_(same_arm))


def refuse(session, kit, use):
    """Refuse a kit of another arm (or without an arm) for a randomised subject."""
    if use.purpose != "dispense" or use.subject is None:
        return
    subject_arm = session.scalar(_subject_arm().where(
        Randomisation.subject_id == use.subject.id))
    if subject_arm is None:
        return
    kit_arm = session.scalar(select(KitArm.arm).where(KitArm.kit_id == kit.id))
    if kit_arm != subject_arm:
        raise DomainError(_("This kit cannot be given to this subject; use the proposed kit."),
                          "kit_number")
