"""Nothing derived from an arm-bearing kit list is readable by blinded roles."""

import hashlib
import re

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.blinding.models import KitArm
from app.blinding.services.arms import import_arm_kit_list as import_kit_list
from app.stock.models import Kit, StockEntry

KITS = 40


def _arm_file():
    """A kit list sorted by arm: the first half A, the second B (as exports often are)."""
    lines = ["kit number;blinded lot;treatment arm"]
    lines += [f"K-{n:03d};BL-1;{'A' if n < KITS // 2 else 'B'}" for n in range(KITS)]
    return ("\n".join(lines) + "\n").encode()


def test_the_ledger_reference_of_an_arm_upload_is_random_and_rows_are_not_in_file_order(
        db, make, stock):
    trial = make.trial(blinded=True)
    stock.make_lot(trial=trial, number="BL-1")
    user = make.user(roles=("unblinded",))
    data = _arm_file()
    digest = hashlib.sha256(data).hexdigest()
    kits = import_kit_list(db.session, trial, stock.make_depot(), data, "arms.csv", user=user)
    assert [k.kit_number for k in kits] == [f"K-{n:03d}" for n in range(KITS)]
    assert [db.session.get(KitArm, k.id).arm for k in kits] == (
        ["A"] * (KITS // 2) + ["B"] * (KITS // 2))
    refs = set(db.session.scalars(select(StockEntry.document_ref).where(
        StockEntry.kit_id.in_([k.id for k in kits]))))
    assert len(refs) == 1
    ref = refs.pop()
    assert re.fullmatch(r"KL-[0-9a-f]{12}", ref), ref
    # No part of the file's fingerprint is anywhere a blinded role reads: ledger or audit.
    readable = " ".join([ref, *(f"{e.entity_label} {e.changes} {e.reason}" for e in
                                db.session.scalars(select(AuditEntry)))])
    assert not any(digest[i:i + 8] in readable for i in range(0, 64 - 8))
    assert "arms.csv" not in readable
    # Kits are stored in a random order: ids (and ledger lines) do not follow the file.
    by_id = db.session.scalars(select(Kit.kit_number).where(Kit.trial_id == trial.id)
                               .order_by(Kit.id)).all()
    assert sorted(by_id) == [f"K-{n:03d}" for n in range(KITS)]
    assert by_id != sorted(by_id)
    # Another upload gets another, unrelated reference.
    again = import_kit_list(db.session, trial, stock.make_depot(), data.replace(b"K-", b"Q-"),
                            "arms.csv", user=user)
    ref_again = db.session.scalar(select(StockEntry.document_ref).where(
        StockEntry.kit_id == again[0].id))
    assert ref_again != ref and re.fullmatch(r"KL-[0-9a-f]{12}", ref_again)
