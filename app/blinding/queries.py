"""Read-only blinding queries: scoped lists, the randomisation overview, unblinded reports."""

from sqlalchemy import func, select

from app.blinding.models import (
    CodeBreak,
    KitArm,
    Randomisation,
    RandomisationList,
    RandomisationSlot,
)
from app.stock.api import Kit, Location
from app.trials.api import Site, Subject, Trial, visible_subjects, visible_trials


def visible_lists(user):
    """Lists of the trials the user sees (their existence, size and verification)."""
    trials = visible_trials(user, "blinding.view").with_only_columns(Trial.id)
    return select(RandomisationList).where(RandomisationList.trial_id.in_(trials))


def lists_waiting_for(user):
    """Lists the user sees that wait for a verification they may give (made by another)."""
    return visible_lists(user).where(RandomisationList.status == "draft",
                                     RandomisationList.created_by_id != user.id)


def subjects_overview(user):
    """Subjects the user sees with their randomisation (number and date; never the arm)."""
    return (visible_subjects(user, "blinding.view")
            .outerjoin(Randomisation, Randomisation.subject_id == Subject.id))


def broken_subject_ids(session, subject_ids):
    """Return the ids among these subjects whose code has been broken."""
    if not subject_ids:
        return set()
    return set(session.scalars(select(CodeBreak.subject_id).where(
        CodeBreak.subject_id.in_(subject_ids)).distinct()))


def visible_breaks(user):
    """Code breaks of the subjects the user sees, newest first."""
    subjects = visible_subjects(user, "blinding.breaks").with_only_columns(Subject.id)
    return select(CodeBreak).where(CodeBreak.subject_id.in_(subjects))


def balance_by_stratum_and_site(session, trial_id):
    """Unblinded: [(site number, stratum, arm, count)] of randomised subjects."""
    return session.execute(
        select(Site.site_number, RandomisationSlot.stratum, RandomisationSlot.arm, func.count())
        .join(Randomisation, Randomisation.slot_id == RandomisationSlot.id)
        .join(Subject, Subject.id == Randomisation.subject_id)
        .join(Site, Site.id == Subject.site_id)
        .where(Subject.trial_id == trial_id)
        .group_by(Site.site_number, RandomisationSlot.stratum, RandomisationSlot.arm)
        .order_by(Site.site_number, RandomisationSlot.stratum, RandomisationSlot.arm)).all()


def kits_by_arm_and_site(session, trial_id):
    """Unblinded: [(site number or depot name, arm, state, count)] of the trial's kits."""
    place = func.coalesce(Site.site_number, Location.name)
    return session.execute(
        select(place, KitArm.arm, Kit.state, func.count())
        .join(KitArm, KitArm.kit_id == Kit.id)
        .outerjoin(Location, Location.id == Kit.location_id)
        .outerjoin(Site, Site.id == Location.site_id)
        .where(Kit.trial_id == trial_id)
        .group_by(place, KitArm.arm, Kit.state)
        .order_by(place, KitArm.arm, Kit.state)).all()


def visible_batches(user):
    """Masking and placebo batch records of the trials the user sees."""
    from app.blinding.models import BatchRecord

    trials = visible_trials(user, "blinding.batches").with_only_columns(Trial.id)
    return select(BatchRecord).where(BatchRecord.trial_id.in_(trials))
