"""Kit rules: batch records released by QA; a randomised subject gets kits of their arm, unseen.

First, a kit whose lot is produced by a masking or placebo batch record that QA has not
released, or whose blinded lot groups such a lot, neither ships nor is dispensed. This rule
looks at the whole blinded lot, so it says the same for every arm, and it runs before the arm
rule so that its refusal never tells one arm from another.

Then only dispensing to a randomised subject is narrowed by arm; shipping is not (sites hold
both arms). The refusal is the same sentence, from the same queries, whatever the arms.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.blinding.models import BatchRecord, KitArm, Randomisation, RandomisationSlot
from app.core.errors import DomainError
from app.stock.api import Kit, lot_members


def _unreleased_lots():
    """Lots a batch record produces that QA has not released, and blinded lots grouping them."""
    made = select(BatchRecord.output_lot_id).where(BatchRecord.status != "released")
    grouping = select(lot_members.c.blinded_lot_id).where(lot_members.c.lot_id.in_(made))
    return made.union(grouping)


def _batch_restrict(stmt):
    return stmt.where(Kit.lot_id.not_in(_unreleased_lots()))


def _batch_refuse(session, kit):
    held = session.scalar(select(Kit.id).where(Kit.id == kit.id,
                                               Kit.lot_id.in_(_unreleased_lots())))
    if held is not None:
        raise DomainError(_("Kit %(kit)s cannot be used yet: the batch record of its lot "
                            "%(lot)s is not released by QA.", kit=kit.kit_number,
                            lot=kit.lot.number), "kit_number")


def refuse_lot(session, lot, event):
    """Refuse certifying, releasing or grouping a lot whose batch record QA has not released.

    A blinded lot is held back by the batch record of any lot it groups.
    """
    lot_ids = [lot.id, *session.scalars(select(lot_members.c.lot_id)
                                        .where(lot_members.c.blinded_lot_id == lot.id))]
    record = session.scalars(select(BatchRecord.number)
                             .where(BatchRecord.status != "released",
                                    BatchRecord.output_lot_id.in_(lot_ids))
                             .order_by(BatchRecord.number)).first()
    if record is None:
        return
    if event == "group":
        raise DomainError(_("Lot %(lot)s cannot join a blinded lot yet: its batch record "
                            "%(record)s is not released by QA.", lot=lot.number, record=record),
                          "members")
    if event == "certify":
        raise DomainError(_("Lot %(lot)s cannot be certified yet: its batch record %(record)s "
                            "is not released by QA.", lot=lot.number, record=record))
    raise DomainError(_("Lot %(lot)s cannot be released yet: its batch record %(record)s is "
                        "not released by QA.", lot=lot.number, record=record))


def _subject_arm():
    return (select(RandomisationSlot.arm)
            .join(Randomisation, Randomisation.slot_id == RandomisationSlot.id))


def restrict(stmt, use):
    """Keep kits of released batches; for a randomised subject, kits of their arm."""
    stmt = _batch_restrict(stmt)
    if use.purpose != "dispense" or use.subject is None:
        return stmt
    arm = _subject_arm().where(Randomisation.subject_id == use.subject.id).scalar_subquery()
    randomised = select(Randomisation.id).where(Randomisation.subject_id == use.subject.id)
    same_arm = select(KitArm.kit_id).where(KitArm.arm == arm)
    return stmt.where(~randomised.exists() | Kit.id.in_(same_arm))


def refuse(session, kit, use):
    """Refuse a kit of an unreleased batch; for a randomised subject, of another arm."""
    _batch_refuse(session, kit)
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
