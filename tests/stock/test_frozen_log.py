"""Defect 1 of issue 10: a frozen, signed accountability log never changes afterwards."""

import shutil
import subprocess

import pytest
from sqlalchemy import select

from app.esign.models import Signature
from app.esign.services import signature_is_current
from app.stock.models import AccountabilityReview
from app.stock.services import accountability
from app.stock.services.site import dispense_kit, propose_kit
from tests.factories import PASSWORD


def _text(pdf):
    """Return the PDF's text without the generation time of the letterhead and footer."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    return [line.strip() for line in text.splitlines()
            if line.strip() and "UTC" not in line and "Generated" not in line
            and "Page " not in line]


def _summary(figures):
    return (figures.counts.get("dispense", 0), figures.on_hand, figures.expected_on_hand,
            figures.difference)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_dispensing_after_the_freeze_changes_nothing_of_the_signed_log(client, db, make, stock,
                                                                       login):
    trial = make.trial()
    visit = make.visit(trial, 1, name="Baseline")
    site = make.site(trial)
    subject = make.subject(site, code="S-FRZ-1", enrolment_date=None)
    pharmacist = make.user(roles=("site",), sites=[site])
    monitor = make.user(roles=("monitor",))
    stock.make_site_kits(site, 22)
    kit = propose_kit(db.session, subject)
    dispense_kit(db.session, subject, visit, kit, kit.kit_number, by=pharmacist)
    review = accountability.freeze(db.session, site=site, by=pharmacist)
    db.session.commit()
    login(pharmacist)
    client.post(f"/stock/accountability/reviews/{review.id}/sign",
                data={"meaning": "submitted", "password": PASSWORD, "confirm": "y"})
    at_signing = client.get(f"/stock/accountability/reviews/{review.id}/log.pdf").data
    page_at_signing = client.get(f"/stock/accountability/reviews/{review.id}").get_data(
        as_text=True)
    frozen = _summary(accountability.compute(db.session, site=site,
                                             last_entry_id=review.last_entry_id))
    assert frozen == (1, 21, 21, 0)

    later = propose_kit(db.session, subject)  # one more kit after the freeze
    dispense_kit(db.session, subject, make.visit(trial, 2, name="Week 4"), later,
                 later.kit_number, by=pharmacist)
    db.session.commit()
    login(monitor)
    client.post(f"/stock/accountability/reviews/{review.id}/sign",
                data={"meaning": "verified", "password": PASSWORD, "confirm": "y"})

    # 1. every figure, on hand included, is as of the freeze point
    db.session.expire_all()
    review = db.session.get(AccountabilityReview, review.id)
    assert _summary(accountability.compute(db.session, site=site,
                                           last_entry_id=review.last_entry_id)) == frozen
    page = client.get(f"/stock/accountability/reviews/{review.id}").get_data(as_text=True)
    assert "does not reconcile" not in page
    assert page.count(">21<") == page_at_signing.count(">21<") >= 2
    # 2. the regenerated PDF has the same content as the copy taken at signing
    regenerated = client.get(f"/stock/accountability/reviews/{review.id}/log.pdf").data
    lines_then, lines_now = _text(at_signing), _text(regenerated)
    block = lines_now.index("Electronic signatures")
    assert lines_now[:block] == lines_then[:lines_then.index("Electronic signatures")]
    assert any("21" in line for line in lines_now[:block])
    # 3. both signatures are over the same content, which is still the content
    signatures = db.session.scalars(select(Signature).where(
        Signature.entity_type == "accountability_review",
        Signature.entity_id == str(review.id)).order_by(Signature.id)).all()
    assert [s.meaning for s in signatures] == ["submitted", "verified"]
    assert signatures[0].content_hash == signatures[1].content_hash
    assert all(signature_is_current(s, review) for s in signatures)
    # later movements appear in the next log
    after = accountability.freeze(db.session, site=site, by=pharmacist)
    assert _summary(accountability.compute(db.session, site=site,
                                           last_entry_id=after.last_entry_id)) == (2, 20, 20, 0)
