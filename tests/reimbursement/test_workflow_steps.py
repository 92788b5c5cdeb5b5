"""Claim steps are workflow steps, not e-signatures; approval needs a decision on every line."""

import io
from decimal import Decimal

from pypdf import PdfReader

from app.reimbursement.models import Claim


def _sheet_text(client, claim):
    response = client.get(f"/my/claims/{claim.id}/sheet.pdf")
    assert response.status_code == 200
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def test_an_approval_post_without_line_decisions_approves_nothing(client, login, world, db):
    claim = world.validated(lines=(("taxi", Decimal("40"), None), ("car_mileage", None, "20")))
    db.session.commit()
    taxi, car = claim.lines
    login(world.finance)
    response = client.post(f"/reimbursement/claims/{claim.id}/approve", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (f'<div id="decision_{taxi.id}-error" class="invalid-feedback d-block">Choose a '
            "decision for every line.</div>") in page
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "validated"
    # One line decided, the other not: still refused, and what was chosen is kept.
    response = client.post(f"/reimbursement/claims/{claim.id}/approve", data={
        f"decision_{taxi.id}": "reduced", f"amount_{taxi.id}": "30",
        f"reason_{taxi.id}": "Usual fare"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<div id="decision_{car.id}-error"' in page
    assert 'value="reduced" checked' in page and 'value="Usual fare"' in page
    # Every line decided: approved as decided.
    response = client.post(f"/reimbursement/claims/{claim.id}/approve", data={
        f"decision_{taxi.id}": "reduced", f"amount_{taxi.id}": "30",
        f"reason_{taxi.id}": "Usual fare", f"decision_{car.id}": "approved"})
    assert response.status_code == 302
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert claim.status == "approved" and claim.total_approved == Decimal("35.20")


def test_approve_all_lines_is_an_explicit_choice(client, login, world, db):
    claim = world.validated(lines=(("taxi", Decimal("40"), None),))
    db.session.commit()
    login(world.finance)
    page = client.get(f"/reimbursement/claims/{claim.id}").get_data(as_text=True)
    assert 'name="approve_all"' in page
    assert f'name="decision_{claim.lines[0].id}" id="decision_{claim.lines[0].id}_approved" ' \
           'value="approved" >' in page  # nothing is pre-chosen for finance
    response = client.post(f"/reimbursement/claims/{claim.id}/approve",
                           data={"approve_all": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert claim.status == "approved" and claim.total_approved == Decimal("40.00")


def test_the_sheet_lists_claim_steps_as_workflow_steps_not_electronic_signatures(
        client, login, world, db):
    claim = world.approved(lines=(("taxi", Decimal("40"), None),))
    db.session.commit()
    login(world.patient)
    text = _sheet_text(client, claim)
    assert "Electronic signatures" not in text
    assert "Workflow steps" in text
    assert ("These steps were recorded without re-entering a password; they are not "
            "electronic signatures.") in " ".join(text.split())
    for label in ("Submitted", "Validated", "Approved"):
        assert label in text
