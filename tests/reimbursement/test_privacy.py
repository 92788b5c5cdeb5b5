"""Patient A opens every claim, receipt, sheet and batch URL of patient B: 403 or 404 each."""

from decimal import Decimal

from app.reimbursement.models import PatientLink
from app.reimbursement.services.payments import create_batch
from tests.factories import make_user
from tests.reimbursement.factories import World


def test_patient_a_reaches_nothing_of_patient_b(app, client, login, db):
    world = World(db.session)
    world.bank()
    paid = world.approved(lines=(("taxi", Decimal("30"), None),))
    batch = create_batch(db.session, [paid.id], world.finance)
    draft = world.claim()
    patient_a = make_user(db.session, roles=("patient",))
    db.session.add(PatientLink(user_id=patient_a.id, subject_id=world.subject.id,
                               relation="caregiver"))
    db.session.commit()
    line = paid.lines[0]
    values = {"claim_id": paid.id, "line_id": line.id, "receipt_id": line.receipts[0].id,
              "batch_id": batch.id, "subject_id": world.subject.id, "trial_id": world.trial.id,
              "job_id": 1}
    login(patient_a)
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("my", "reimbursement") or not rule.arguments:
            continue
        for claim_id in (paid.id, draft.id):
            url = rule.build({**values, "claim_id": claim_id}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                assert response.status_code in (403, 404), (method, url, response.status_code)
                checked.append(url)
    assert len(checked) >= 30
    assert any("/sheet.pdf" in u for u in checked) and any("/receipts/" in u for u in checked)
    assert any("/batches/" in u for u in checked)
    # Their own list shows nothing of B.
    page = client.get("/my/").get_data(as_text=True)
    assert paid.reference not in page and draft.reference not in page
