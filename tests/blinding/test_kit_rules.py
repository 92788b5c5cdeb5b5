"""Dispensing by arm, unseen: the proposal matches the subject's arm; other kits are refused alike."""

import pytest

from app.blinding.models import KitArm
from app.blinding.services.randomise import arm_of_subject, randomise
from app.core.errors import DomainError
from app.stock.api import Kit
from app.stock.services.site import dispense_kit, propose_kit

REFUSAL = "This kit cannot be given to this subject; use the proposed kit."


def _randomised_pair(db, make, world):
    """Two subjects randomised into different arms."""
    subjects, arms = [], set()
    while len(arms) < 2:
        subject = make.subject(world["site"], enrolment_date=None)
        randomise(db.session, subject, strata={"sex": "M"}, eligible=True, by=world["user"])
        arm = arm_of_subject(db.session, subject)
        if arm not in arms:
            arms.add(arm)
            subjects.append(subject)
    return subjects


def test_the_proposal_is_of_the_subjects_arm_and_other_arms_are_refused_in_one_sentence(
        db, make, blinding):
    world = blinding.make_world(kits_per_arm=3)
    refusals = []
    for subject in _randomised_pair(db, make, world):
        arm = arm_of_subject(db.session, subject)
        proposed = propose_kit(db.session, subject, visit=world["visit"])
        assert db.session.get(KitArm, proposed.id).arm == arm
        other = next(k for k in world["kits"] if db.session.get(KitArm, k.id).arm != arm
                     and k.state == "received")
        with pytest.raises(DomainError) as refused:
            dispense_kit(db.session, subject, world["visit"], proposed, other.kit_number,
                         by=world["user"])
        refusals.append((str(refused.value), refused.value.field))
        dispensing = dispense_kit(db.session, subject, world["visit"], proposed,
                                  proposed.kit_number, by=world["user"])
        assert db.session.get(KitArm, dispensing.kit_id).arm == arm
    assert refusals == [(REFUSAL, "kit_number")] * 2


def test_a_subject_not_randomised_is_proposed_any_kit_and_a_kit_without_arm_is_refused(
        db, make, blinding, stock):
    world = blinding.make_world(kits_per_arm=1)
    plain = make.subject(world["site"], enrolment_date=None)
    assert propose_kit(db.session, plain, visit=world["visit"]) is not None
    subject = _randomised_pair(db, make, world)[0]
    bare = stock.make_site_kits(world["site"], 1)[0]
    with pytest.raises(DomainError, match=REFUSAL):
        dispense_kit(db.session, subject, world["visit"],
                     propose_kit(db.session, subject, visit=world["visit"]), bare.kit_number,
                     by=world["user"])
    assert db.session.get(Kit, bare.id).state == "received"
