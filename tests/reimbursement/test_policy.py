"""The trial's policy: what it allows, its plain-language reading, reading writes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.reimbursement.models import PolicyCategory, ReimbursementPolicy
from app.reimbursement.services.drafting import add_line, create_claim
from app.reimbursement.services.policy import plain_language, policy_for, policy_or_default

DEFAULT_READING = [
    "You can claim: Car (kilometres), Public transport, Taxi, Parking and tolls, "
    "Meals / per diem, Lodging, Other (childcare, lost earnings...).",
    "Travel by your own car is paid at €0.26 per kilometre, up to 1,000 km per trip.",
    "Meals are paid as a fixed amount of €30.00 per day; no receipt is needed.",
    "Lodging is paid at what it cost, up to €90.00 per night.",
    "Public transport: always attach a receipt.",
    "Taxi: always attach a receipt.",
    "Parking and tolls: attach a receipt when the amount is over €5.00.",
    "Lodging: always attach a receipt.",
    "Other (childcare, lost earnings...): always attach a receipt.",
    "Claim only costs that nobody else has paid back to you.",
]

CATEGORIES = ("car_mileage", "public_transport", "taxi", "parking_tolls", "meals", "lodging",
              "other")


def _counts(db):
    return (db.session.scalar(select(func.count()).select_from(ReimbursementPolicy)),
            db.session.scalar(select(func.count()).select_from(PolicyCategory)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def _policy_form(**values):
    data = {"mileage_rate": "0.30", "max_km_per_trip": "800", "per_diem_amount": "25",
            "per_night_amount": "80", "days_from_visit": "3", "cap_per_line": "",
            "cap_per_visit": "200", "cap_per_month": ""}
    for category in CATEGORIES:
        data |= {f"{category}_allowed": "y", f"{category}_kind": "actual_cost",
                 f"{category}_receipt_above": "0"}
    return data | values


@pytest.mark.usefixtures("english")
def test_a_category_the_policy_forbids_is_refused(world):
    policy = policy_for(world.session, world.trial)
    from app.audit.services import set_reason

    set_reason(world.session, "sponsor pays no taxis")
    policy.rule("taxi").allowed = False
    world.session.flush()
    claim = world.claim(lines=())
    with pytest.raises(DomainError, match="^This kind of expense is not paid in this trial.$"):
        add_line(world.session, claim, category="taxi", line_date=date(2026, 1, 24),
                 description="Taxi", amount="10")


@pytest.mark.usefixtures("english")
def test_plain_language_policy_mentions_rate_and_receipts(world):
    assert plain_language(policy_for(world.session, world.trial)) == DEFAULT_READING


@pytest.mark.usefixtures("english")
def test_the_unsaved_defaults_read_like_the_saved_policy(world, db):
    unsaved = policy_or_default(world.session, world.trial)
    assert unsaved.id is None and unsaved not in world.session
    assert plain_language(unsaved) == DEFAULT_READING
    assert (unsaved.per_diem_amount, unsaved.per_night_amount, unsaved.max_km_per_trip,
            unsaved.days_from_visit, unsaved.mileage_rate) == (
        Decimal("30.00"), Decimal("90.00"), 1000, 3, Decimal("0.26"))
    world.session.flush()
    assert _counts(db)[:2] == (0, 0)
    saved = policy_for(world.session, world.trial)
    assert saved.id is not None and plain_language(saved) == DEFAULT_READING
    assert policy_or_default(world.session, world.trial) is saved


def test_reading_a_policy_writes_nothing(client, login, world, db):
    draft = create_claim(db.session, subject=world.subject, claimant=world.patient,
                         entered_by=world.patient, visit=world.visit)
    db.session.commit()
    before = _counts(db)
    assert before[:2] == (0, 0)
    login(world.finance)
    page = client.get(f"/reimbursement/trials/{world.trial.id}/policy")
    assert page.status_code == 200 and 'name="mileage_rate"' in page.get_data(as_text=True)
    assert client.get(f"/reimbursement/claims/{draft.id}").status_code == 200
    login(world.site_user)
    assert client.get(f"/reimbursement/trials/{world.trial.id}/policy").status_code == 200
    login(world.patient)
    for path in ("/my/policy", "/my/claims/new", f"/my/claims/{draft.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "0.26" in response.get_data(as_text=True) or \
            "0,26" in response.get_data(as_text=True), path
    assert _counts(db) == before


def test_policy_edit_needs_a_reason_and_is_audited(client, login, world, db):
    db.session.commit()
    login(world.finance)
    page = client.get(f"/reimbursement/trials/{world.trial.id}/policy")
    assert page.status_code == 200
    data = _policy_form()
    assert client.post(f"/reimbursement/trials/{world.trial.id}/policy", data=data) \
        .status_code == 422
    assert _counts(db)[:2] == (0, 0)  # a refused first save creates nothing either
    data["reason"] = "Sponsor amendment 3"
    assert client.post(f"/reimbursement/trials/{world.trial.id}/policy", data=data) \
        .status_code == 302
    entry = db.session.query(AuditEntry).filter_by(entity_type="reimbursement_policy",
                                                   action="update").one()
    assert entry.reason == "Sponsor amendment 3"


def test_the_first_save_creates_the_policy_with_its_reason(client, login, world, db):
    db.session.commit()
    login(world.finance)
    response = client.post(f"/reimbursement/trials/{world.trial.id}/policy",
                           data=_policy_form(reason="Sponsor amendment 1"))
    assert response.status_code == 302
    policy = db.session.scalars(select(ReimbursementPolicy)).one()
    assert (policy.trial_id, policy.mileage_rate, policy.max_km_per_trip,
            policy.cap_per_visit) == (world.trial.id, Decimal("0.300"), 800, Decimal("200.00"))
    assert len(policy.categories) == len(CATEGORIES)
    created = db.session.query(AuditEntry).filter_by(entity_type="reimbursement_policy",
                                                     action="create").one()
    assert created.reason == "Sponsor amendment 1"


def test_only_finance_and_admins_change_a_policy(client, login, world, db):
    db.session.commit()
    login(world.site_user)
    page = client.get(f"/reimbursement/trials/{world.trial.id}/policy").get_data(as_text=True)
    assert 'name="mileage_rate"' not in page
    response = client.post(f"/reimbursement/trials/{world.trial.id}/policy",
                           data=_policy_form(reason="not mine to change"))
    assert response.status_code == 403
    assert _counts(db)[:2] == (0, 0)
