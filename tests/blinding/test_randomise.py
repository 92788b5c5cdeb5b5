"""Randomising a subject: the next free number of the stratum, once, at the subject's site."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.blinding.models import RandomisationSlot
from app.blinding.services.randomise import randomise
from app.core.errors import DomainError


def test_subjects_get_the_next_free_number_of_their_stratum(db, make, blinding):
    world = blinding.make_world()
    site, user = world["site"], world["user"]
    subjects = [make.subject(site) for _ in range(3)]
    first = randomise(db.session, subjects[0], strata={"sex": "M"}, eligible=True, by=user)
    second = randomise(db.session, subjects[1], strata={"sex": "F"}, eligible=True, by=user)
    third = randomise(db.session, subjects[2], strata={"sex": "M"}, eligible=True, by=user)
    assert (first.number, second.number, third.number) == ("R0001", "R0041", "R0002")
    assert first.strata == {"sex": "M"}
    slot = db.session.get(RandomisationSlot, first.slot_id)
    assert (slot.subject_id, slot.stratum, slot.sequence) == (subjects[0].id, "sex=M", 1)
    # The audit entry of a randomisation names the number and the strata, never the arm.
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "randomisation")).first()
    assert "R0001" in entry.entity_label and "arm" not in str(entry.changes)
    assert slot.arm not in str(entry.changes).replace("'sex'", "")


def test_bad_randomisations_are_refused_in_plain_words(db, make, blinding):
    world = blinding.make_world()
    site, user = world["site"], world["user"]
    subject = make.subject(site)
    with pytest.raises(DomainError, match="Confirm that the subject meets every eligibility"):
        randomise(db.session, subject, strata={"sex": "M"}, eligible=False, by=user)
    with pytest.raises(DomainError, match="Choose a level for sex") as refused:
        randomise(db.session, subject, strata={"sex": "X"}, eligible=True, by=user)
    assert refused.value.field == "stratum_0"
    randomise(db.session, subject, strata={"sex": "M"}, eligible=True, by=user)
    with pytest.raises(DomainError, match=f"Subject {subject.code} is already randomised "
                                          r"\(number R0001\)"):
        randomise(db.session, subject, strata={"sex": "M"}, eligible=True, by=user)
    screening = make.subject(site, status="screening")
    with pytest.raises(DomainError, match="is not enrolled"):
        randomise(db.session, screening, strata={"sex": "M"}, eligible=True, by=user)
    elsewhere = make.subject(make.site(world["trial"]))
    with pytest.raises(DomainError, match="only randomise subjects at your own sites"):
        randomise(db.session, elsewhere, strata={"sex": "M"}, eligible=True, by=user)


def test_a_full_stratum_says_so(db, make, blinding):
    trial = make.trial(blinded=True)
    blinding.make_verified_list(trial, parameters={
        "arms": [["A", 1], ["B", 1]], "block_sizes": [2], "per_stratum": 2, "strata": []})
    site = make.site(trial)
    user = make.user(roles=("site",), sites=[site])
    for _ in range(2):
        randomise(db.session, make.subject(site), strata={}, eligible=True, by=user)
    with pytest.raises(DomainError, match="No randomisation number is left in this stratum"):
        randomise(db.session, make.subject(site), strata={}, eligible=True, by=user)


def test_strata_of_a_randomised_subject_change_only_with_a_reason_and_qa_signature(
        db, make, blinding):
    from app.blinding.models import StrataCorrection
    from app.blinding.services.strata import correct_strata
    from app.esign.services import SigningError
    from tests.factories import PASSWORD

    world = blinding.make_world()
    subject = make.subject(world["site"])
    done = randomise(db.session, subject, strata={"sex": "M"}, eligible=True, by=world["user"])
    qa = make.user(roles=("qp",))
    with pytest.raises(DomainError, match="Only QA may correct"):
        correct_strata(db.session, done, strata={"sex": "F"}, reason="typo",
                       by=world["user"], password=PASSWORD)
    with pytest.raises(DomainError, match="Give a reason"):
        correct_strata(db.session, done, strata={"sex": "F"}, reason=" ", by=qa,
                       password=PASSWORD)
    with pytest.raises(DomainError, match="Choose a level for sex"):
        correct_strata(db.session, done, strata={"sex": "X"}, reason="typo", by=qa,
                       password=PASSWORD)
    record = correct_strata(db.session, done, strata={"sex": "F"}, reason="Entered M for F",
                            by=qa, password=PASSWORD)
    assert (record.old_strata, record.new_strata, done.strata, done.number) == (
        {"sex": "M"}, {"sex": "F"}, {"sex": "F"}, "R0001")
    assert db.session.scalar(select(StrataCorrection.reason)) == "Entered M for F"
    with pytest.raises(SigningError):
        correct_strata(db.session, done, strata={"sex": "M"}, reason="back", by=qa,
                       password="wrong")
