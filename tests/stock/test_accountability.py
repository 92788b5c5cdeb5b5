"""Drug accountability numbers, exports, the pharmacist's signature and the monitor's check."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.esign.models import Signature
from app.stock.models import AccountabilityReview
from app.stock.services import accountability
from app.stock.services.ledger import transition
from app.stock.services.site import dispense_kit, propose_kit, return_kit
from tests.factories import PASSWORD


def _site_with_history(db, make, stock):
    trial = make.trial()
    visits = [make.visit(trial, n, name=f"Visit {n}") for n in (2, 3, 4)]
    site = make.site(trial)
    subject = make.subject(site, code="S-ACC-1", enrolment_date=None)
    pharmacist = make.user(roles=("site",), sites=[site])
    kits = stock.make_site_kits(site, 6)
    for visit in visits:  # one kit per visit
        kit = propose_kit(db.session, subject)
        dispense_kit(db.session, subject, visit, kit, kit.kit_number, by=pharmacist)
    returned = [k for k in kits if k.state == "dispensed"][0]
    return_kit(db.session, returned, units_returned=20, units_missing=3, condition="opened",
               explanation="subject says a blister fell in the sink", by=pharmacist)
    lost = [k for k in kits if k.state == "received"][0]
    transition(db.session, lost, "missing", "loss", reason="not found at stock count")
    return trial, site, subject, pharmacist, kits


def test_the_numbers_reconcile_and_discrepancies_carry_their_explanation(db, make, stock):
    trial, site, subject, pharmacist, kits = _site_with_history(db, make, stock)
    figures = accountability.compute(db.session, site=site)
    c = figures.counts
    assert (c["transfer_in"], c["dispense"], c["return"], c["loss"]) == (6, 3, 1, 1)
    assert figures.on_hand == 6 - 3 + 1 - 1 == figures.expected_on_hand
    assert figures.difference == 0 and figures.units_missing == 3
    explanations = [d[3] for d in figures.discrepancies]
    assert "not found at stock count" in explanations
    assert "subject says a blister fell in the sink" in explanations
    per_trial = accountability.compute(db.session, trial=trial)
    assert per_trial.counts["dispense"] == 3 and per_trial.on_hand == 3


def test_excel_and_pdf_exports(client, db, make, stock, login):
    trial, site, subject, pharmacist, kits = _site_with_history(db, make, stock)
    db.session.commit()
    login(pharmacist)
    response = client.get(f"/stock/accountability/site/{site.id}/log.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Dispensed", "Returns", "Discrepancies",
                               "Final disposition", "Ledger"]
    dispensed = list(book["Dispensed"].iter_rows(min_row=2, values_only=True))
    assert len(dispensed) == 3 and dispensed[0][1] == "S-ACC-1" and "V2" in dispensed[0][2]
    # compliance of the returned kit: 28 units, 20 returned, 3 missing -> 5 taken
    assert sorted(row[5] or "" for row in dispensed) == ["", "", "18 % (5/28)"]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Dispensed"] == 3 and summary["Difference"] == 0
    assert book["Ledger"].max_row == 1 + 6 + 3 + 1 + 1  # header, in, dispensed, return, loss
    response = client.get(f"/stock/accountability/site/{site.id}/log.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_pharmacist_signs_then_monitor_verifies(client, db, make, stock, login):
    trial, site, subject, pharmacist, kits = _site_with_history(db, make, stock)
    monitor = make.user(roles=("monitor",))
    db.session.commit()
    login(monitor)
    assert client.post(f"/stock/accountability/site/{site.id}/freeze").status_code == 403
    login(pharmacist)
    response = client.post(f"/stock/accountability/site/{site.id}/freeze")
    review = db.session.scalar(select(AccountabilityReview).where(
        AccountabilityReview.site_id == site.id))
    assert response.status_code == 302 and review is not None
    refused = client.post(f"/stock/accountability/reviews/{review.id}/sign",
                          data={"meaning": "submitted", "password": "wrong", "confirm": "y",
                                "comment": "Revisado con el monitor"})
    page = refused.get_data(as_text=True)  # the page again, with what was typed but the password
    assert refused.status_code == 200 and "Revisado con el monitor</textarea>" in page
    assert 'value="wrong"' not in page
    assert db.session.scalar(select(Signature).where(Signature.entity_id == str(review.id))) \
        is None
    client.post(f"/stock/accountability/reviews/{review.id}/sign",
                data={"meaning": "submitted", "password": PASSWORD, "confirm": "y"})
    login(monitor)
    page = client.get(f"/stock/accountability/reviews/{review.id}").get_data(as_text=True)
    assert "Verified" in page
    client.post(f"/stock/accountability/reviews/{review.id}/sign",
                data={"meaning": "verified", "password": PASSWORD, "confirm": "y"})
    meanings = db.session.scalars(select(Signature.meaning).where(
        Signature.entity_type == "accountability_review",
        Signature.entity_id == str(review.id)).order_by(Signature.id)).all()
    assert meanings == ["submitted", "verified"]
    response = client.get(f"/stock/accountability/reviews/{review.id}/log.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_other_sites_accountability_is_hidden_from_site_users(client, db, make, stock, login):
    trial, site, subject, pharmacist, kits = _site_with_history(db, make, stock)
    other = make.site(trial)
    db.session.commit()
    login(pharmacist)
    assert client.get(f"/stock/accountability/site/{other.id}").status_code == 404
    assert client.get(f"/stock/accountability/trial/{trial.id}").status_code == 404
    assert client.get(f"/stock/accountability/site/{site.id}").status_code == 200


def test_who_may_sign_or_verify_is_a_rule_of_the_service(db, make, stock):
    from app.core.errors import DomainError

    trial, site, subject, pharmacist, kits = _site_with_history(db, make, stock)
    monitor = make.user(roles=("monitor",))
    logistics = make.user(roles=("logistics",))
    open_to = accountability.meaning_open_to
    assert [open_to(pharmacist, set()), open_to(monitor, set()), open_to(logistics, set())] \
        == ["submitted", None, None]
    assert [open_to(pharmacist, {"submitted"}), open_to(monitor, {"submitted"})] \
        == [None, "verified"]
    assert open_to(monitor, {"submitted", "verified"}) is None
    assert not accountability.may_sign(pharmacist, set(), "verified")
    assert not accountability.may_sign(monitor, set(), "verified")
    assert not accountability.may_sign(monitor, {"submitted"}, "submitted")
    assert not accountability.may_sign(pharmacist, set(), "approved")
    review = accountability.freeze(db.session, site=site, by=pharmacist)
    with pytest.raises(DomainError) as refused:
        accountability.sign_review(db.session, review, meaning="verified", signer=monitor,
                                   password=PASSWORD)
    assert str(refused.value) == "This review cannot be signed with that meaning by you now."
    accountability.sign_review(db.session, review, meaning="submitted", signer=pharmacist,
                               password=PASSWORD)
    accountability.sign_review(db.session, review, meaning="verified", signer=monitor,
                               password=PASSWORD)
    with pytest.raises(DomainError, match="cannot be signed with that meaning"):
        accountability.sign_review(db.session, review, meaning="verified", signer=monitor,
                                   password=PASSWORD)
