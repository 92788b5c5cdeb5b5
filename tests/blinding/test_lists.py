"""Randomisation lists: generated or uploaded, verified by a second unblinded user, kept apart."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.blinding.models import RandomisationList, RandomisationSlot
from app.blinding.services.lists import generate_list, list_in_use, verify_list
from app.blinding.services.randomise import randomise
from app.blinding.services.uploads import ListRefused, read_list_file
from app.core.errors import DomainError
from app.esign.services import SigningError
from tests.blinding.factories import TWO_ARMS
from tests.factories import PASSWORD

DESIGN = {"arms": [["A", 1], ["B", 1]], "strata": [{"name": "sex", "levels": ["M", "F"]}]}


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def test_a_generated_list_is_unusable_until_a_second_unblinded_user_verifies_it(db, make):
    trial = make.trial(blinded=True)
    maker, checker = make.user(roles=("unblinded",)), make.user(roles=("unblinded",))
    rlist = generate_list(db.session, trial, name="P1", purpose="production",
                          parameters=TWO_ARMS, by=maker, seed="abc")
    assert (rlist.status, rlist.size, rlist.algorithm, rlist.algorithm_version) == (
        "draft", 80, "pbr-hmac-sha256", 1)
    assert list_in_use(db.session, trial, "production") is None
    subject = make.subject(make.site(trial))
    site_user = make.user(roles=("site",), sites=[subject.site])
    with pytest.raises(DomainError, match="no verified randomisation list"):
        randomise(db.session, subject, strata={"sex": "M"}, eligible=True, by=site_user)
    with pytest.raises(DomainError, match="Someone other than the person who made the list"):
        verify_list(db.session, rlist, by=maker, password=PASSWORD)
    with pytest.raises(DomainError, match="Only an unblinded user"):
        verify_list(db.session, rlist, by=make.user(roles=("qp",)), password=PASSWORD)
    with pytest.raises(SigningError):
        verify_list(db.session, rlist, by=checker, password="wrong")
    verify_list(db.session, rlist, by=checker, password=PASSWORD)
    assert rlist.status == "verified" and rlist.verified_by_id == checker.id
    assert list_in_use(db.session, trial, "production") == rlist
    assert list_in_use(db.session, trial, "training") is None


def test_bad_design_is_refused_and_nothing_is_saved(db, make):
    trial = make.trial(blinded=True)
    user = make.user(roles=("unblinded",))
    with pytest.raises(DomainError, match="from 1 to 200000"):
        generate_list(db.session, trial, name="X", purpose="production",
                      parameters={**TWO_ARMS, "per_stratum": 150_000}, by=user)
    with pytest.raises(DomainError, match="Choose what the list is for"):
        generate_list(db.session, trial, name="X", purpose="mixed", parameters=TWO_ARMS,
                      by=user)
    with pytest.raises(DomainError, match="Only an unblinded user"):
        generate_list(db.session, trial, name="X", purpose="production", parameters=TWO_ARMS,
                      by=make.user(roles=("logistics",)))
    assert db.session.scalar(select(func.count(RandomisationList.id))) == 0


def test_an_uploaded_csv_is_read_with_its_mapping():
    data = csv_bytes("Rand No;Blk;Treat;Stratum", "R1;1;A;sex=M", "R2;1;B;sex=M",
                     "R3;1;B;sex=F", "R4;1;A;sex=F")
    entries = read_list_file(data, "list.csv", DESIGN, {"number": "Rand No", "block": "Blk",
                                                        "arm": "Treat"})
    assert [(e.number, e.sequence, e.block, e.stratum, e.arm) for e in entries] == [
        ("R1", 1, 1, "sex=M", "A"), ("R2", 2, 1, "sex=M", "B"), ("R3", 1, 1, "sex=F", "B"),
        ("R4", 2, 1, "sex=F", "A")]


def test_every_bad_row_of_an_upload_is_reported():
    data = csv_bytes("randomisation number,block,treatment,stratum",
                     "R1,1,A,sex=M", "R1,1,B,sex=M", "R2,1,C,sex=M", "R3,1,A,sex=X",
                     "R4,x,A,sex=M", "R5,2,A,sex=M", "R6,2,A,sex=M")
    with pytest.raises(ListRefused) as refused:
        read_list_file(data, "list.csv", DESIGN)
    assert refused.value.lines == [
        (3, "Randomisation number R1 appears twice (first on line 2)."),
        (4, "Treatment C is not one of the list's arms."),
        (5, "Stratum sex=X is not declared for this list."),
        (6, "The block must be a whole number."),
        (1, "Block 1 (sex=M) does not respect the ratio 1:1."),
        (1, "Block 2 (sex=M) does not respect the ratio 1:1."),
    ]


def test_an_excel_list_is_read():
    book = Workbook()
    sheet = book.active
    sheet.append(["Randomization number", "Block", "Treatment", "Stratum"])
    sheet.append([1001, 1, "A", "sex=F"])
    sheet.append([1002, 1, "B", "sex=F"])
    buffer = io.BytesIO()
    book.save(buffer)
    entries = read_list_file(buffer.getvalue(), "l.xlsx", DESIGN)
    assert [(e.number, e.arm) for e in entries] == [("1001", "A"), ("1002", "B")]


def test_lists_for_testing_and_training_are_never_used_in_production(db, make, blinding):
    trial = make.trial(blinded=True)
    training = blinding.make_verified_list(trial, purpose="training")
    assert list_in_use(db.session, trial, "production") is None
    assert list_in_use(db.session, trial, "training") == training
    assert db.session.scalar(select(func.count(RandomisationSlot.id)).where(
        RandomisationSlot.list_id == training.id)) == 80
