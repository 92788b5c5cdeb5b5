"""Each daily alert: what it finds, whom it tells (role and site), once, its setting, both
languages, and an audit entry per message."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.alerts.models import SentAlert
from app.alerts.services import run_alerts as run
from app.audit.models import AuditEntry
from app.core import clock
from app.notify.models import Notice, OutboxMessage
from tests import factories
from tests.reimbursement.factories import World as ClaimWorld
from tests.shipments.factories import make_dispatched, make_world
from tests.stock.factories import make_kits, make_lot, make_site_kits

TODAY = clock.today()


def run_alerts(session, today):
    """Run the alerts, the first time of a test after dropping the set-up's messages."""
    if not session.info.get("alerts_ran"):
        forget_earlier_messages(session)
        session.info["alerts_ran"] = True
    return run(session, today)


def notices(session, user):
    return session.scalars(select(Notice.message).where(Notice.user_id == user.id)
                           .order_by(Notice.id)).all()


def mails(session, user):
    return session.scalars(select(OutboxMessage.subject)
                           .where(OutboxMessage.recipient == user.email)
                           .order_by(OutboxMessage.id)).all()


def forget_earlier_messages(session):
    """Drop the notices and e-mails the set-up sent (dispatch notices...)."""
    session.query(Notice).delete()
    session.query(OutboxMessage).delete()
    session.flush()


@pytest.fixture
def only(app):
    """Run only the named alert(s); the others are switched off by their setting."""
    from app.core.domains import REGISTRY

    saved = dict(app.config)

    def keep(*names):
        for alert in REGISTRY.alerts:
            app.config[f"ALERT_{alert.name.upper()}_ENABLED"] = alert.name in names

    yield keep
    app.config.clear()
    app.config.update(saved)


# -- kits reaching DNS, DND or expiry ------------------------------------------------------
def test_kit_expiry_tells_logistics_of_the_depot_and_the_site_of_its_own_kits(db, only):
    only("kit_expiry")
    s = db.session
    world = make_world(s, kits=2)
    # DNS (60 days) of this lot is crossed in 6 days; its DND and expiry are further away.
    lot = make_lot(s, world.product, world.trial, expires_on=TODAY + timedelta(days=65),
                   number="LOT-DNS")
    make_kits(s, world.trial, 3, lot=lot, depot=world.depot)
    # At the site: DND (30 days) crossed in 5 days.
    make_site_kits(s, world.site, 2, expires_on=TODAY + timedelta(days=34), number="LOT-DND")
    other_site = factories.make_site(s, world.trial)
    stranger = factories.make_user(s, roles=("site",), sites=[other_site])
    world.logistics.language = "es"
    s.flush()

    assert run_alerts(s, TODAY)["kit_expiry"] == 3
    # Logistics hears of both places; the site only of its own kits; the other site nothing.
    assert sorted(notices(s, world.logistics)) == sorted([
        f"3 kits en Madrid depot alcanzan su fecha de no envío el {_day('es', 6)}",
        f"2 kits en {world.site_loc.name} alcanzan su fecha de no dispensación el "
        f"{_day('es', 5)}"])
    assert notices(s, world.site_user) == [
        f"2 kits at {world.site_loc.name} reach their do-not-dispense date on "
        f"{_day('en', 5)}"]
    assert notices(s, stranger) == [] and notices(s, world.qp) == []
    assert len(mails(s, world.logistics)) == 2 and len(mails(s, world.site_user)) == 1


def _day(language, plus):
    from flask_babel import force_locale, format_date

    from app.core.i18n import REGIONS

    with force_locale(REGIONS.get(language, language)):  # as notices are written
        return format_date(TODAY + timedelta(days=plus))


def test_kit_expiry_days_setting_and_the_next_threshold_is_told_again(db, only, app):
    only("kit_expiry")
    s = db.session
    world = make_world(s, kits=0)
    lot = make_lot(s, world.product, world.trial, expires_on=TODAY + timedelta(days=65))
    make_kits(s, world.trial, 1, lot=lot, depot=world.depot)
    s.flush()
    app.config["ALERT_KIT_EXPIRY_DAYS"] = 5  # DNS is 6 days away: not yet
    assert run_alerts(s, TODAY)["kit_expiry"] == 0
    app.config["ALERT_KIT_EXPIRY_DAYS"] = 6
    assert run_alerts(s, TODAY)["kit_expiry"] == 1
    assert run_alerts(s, TODAY + timedelta(days=1))["kit_expiry"] == 0  # same crossing
    # 30 days later the DND date (in 5 more days) is a new threshold: told once more.
    assert run_alerts(s, TODAY + timedelta(days=30))["kit_expiry"] == 1
    assert [k for k in s.scalars(select(SentAlert.item_key).order_by(SentAlert.id))] == [
        f"dns:{world.depot.id}:{lot.id}:{(TODAY + timedelta(days=6)).isoformat()}",
        f"dnd:{world.depot.id}:{lot.id}:{(TODAY + timedelta(days=36)).isoformat()}"]


# -- shipments overdue ---------------------------------------------------------------------
def overdue(session, world, days_ago=6):
    shipment = make_dispatched(session, world, requested=1)
    shipment.dispatched_at = shipment.dispatched_at - timedelta(days=days_ago)
    session.flush()
    return shipment


def test_overdue_shipment_tells_logistics_and_its_site_once(db, only):
    only("shipment_overdue")
    s = db.session
    world = make_world(s)
    other_site = factories.make_site(s, world.trial)
    stranger = factories.make_user(s, roles=("site",), sites=[other_site])
    make_dispatched(s, world, requested=1)  # dispatched today: not overdue
    late = overdue(s, world)
    world.logistics.language = world.site_user.language = "es"

    counts = run_alerts(s, TODAY)
    assert {"kit_expiry", "excursion_waiting", "claim_validation_waiting",
            "claim_approval_waiting"} < set(counts)  # every alert ran; only this one told
    assert {name: n for name, n in counts.items() if n} == {"shipment_overdue": 2}
    told = f"El envío {late.number} lleva retraso"
    assert notices(s, world.logistics) == [told] and notices(s, world.site_user) == [told]
    assert mails(s, world.logistics) == [told]
    assert notices(s, stranger) == [] and notices(s, world.qp) == []
    # A second run sends nothing again.
    assert run_alerts(s, TODAY)["shipment_overdue"] == 0
    assert s.query(Notice).count() == 2 and s.query(SentAlert).count() == 2


def test_overdue_in_each_users_language_with_the_link(db, only):
    only("shipment_overdue")
    s = db.session
    world = make_world(s)
    world.logistics.language = "es"
    late = overdue(s, world)
    run_alerts(s, TODAY)
    assert notices(s, world.site_user) == [f"Shipment {late.number} is overdue"]
    assert notices(s, world.logistics) == [f"El envío {late.number} lleva retraso"]
    body = s.scalar(select(OutboxMessage.body).where(
        OutboxMessage.recipient == world.site_user.email))
    assert body.startswith(f"Shipment {late.number} was dispatched on ")
    assert body.endswith(f"\n\nhttp://127.0.0.1:8000/shipments/{late.id}")  # PUBLIC_BASE_URL


def test_a_disabled_alert_sends_nothing(db, only, app):
    only("shipment_overdue")
    s = db.session
    world = make_world(s)
    overdue(s, world)
    app.config["ALERT_SHIPMENT_OVERDUE_ENABLED"] = False
    assert run_alerts(s, TODAY)["shipment_overdue"] == 0
    assert s.query(Notice).count() == 0 and s.query(OutboxMessage).count() == 0


def test_every_alert_sent_writes_an_audit_entry(db, only):
    only("shipment_overdue")
    s = db.session
    world = make_world(s)
    late = overdue(s, world)
    run_alerts(s, TODAY)
    s.commit()
    entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "alert_sent")
                        .order_by(AuditEntry.id)).all()
    rows = s.scalars(select(SentAlert).order_by(SentAlert.id)).all()
    assert [(e.entity_type, e.entity_id, e.entity_label) for e in entries] == [
        ("sent_alert", str(rows[0].id), f"shipment_overdue · {world.logistics.email}"),
        ("sent_alert", str(rows[1].id), f"shipment_overdue · {world.site_user.email}")]
    assert json.loads(entries[0].changes) == {
        "alert": [None, "shipment_overdue"], "item": [None, str(late.id)],
        "recipient": [None, world.logistics.email]}
    assert entries[0].user_name == "system"


# -- excursions waiting for QA ---------------------------------------------------------------
def test_excursion_waiting_more_than_a_day_tells_qa_only(db, only):
    only("excursion_waiting")
    s = db.session
    world = make_world(s)
    waiting = make_dispatched(s, world, requested=1)
    fresh = make_dispatched(s, world, requested=1)
    for shipment, hours in ((waiting, 30), (fresh, 5)):
        shipment.qa_pending = True
        shipment.received_at = shipment.dispatched_at - timedelta(hours=hours)
    world.qp.language = "es"
    s.flush()
    assert run_alerts(s, TODAY)["excursion_waiting"] == 1
    assert notices(s, world.qp) == [f"El envío {waiting.number} espera la decisión de QA"]
    assert notices(s, world.logistics) == [] and notices(s, world.site_user) == []
    assert run_alerts(s, TODAY)["excursion_waiting"] == 0


# -- claims waiting ----------------------------------------------------------------------------
def test_claims_waiting_tell_the_site_and_finance_after_n_days(db, only, app):
    only("claim_validation_waiting", "claim_approval_waiting")
    s = db.session
    world = ClaimWorld(s)
    other_site = factories.make_site(s, world.trial)
    stranger = factories.make_user(s, roles=("site",), sites=[other_site])
    world.site_user.language = world.finance.language = "es"
    submitted = world.submitted()
    validated = world.validated()
    submitted.submitted_at -= timedelta(days=8)
    validated.validated_at -= timedelta(days=3)
    s.flush()
    sent = run_alerts(s, TODAY)
    assert (sent["claim_validation_waiting"], sent["claim_approval_waiting"]) == (1, 0)
    assert notices(s, world.site_user) == [
        f"La solicitud {submitted.reference} espera validación"]
    assert notices(s, stranger) == [] and notices(s, world.finance) == []
    app.config["ALERT_CLAIM_APPROVAL_WAITING_DAYS"] = 2
    sent = run_alerts(s, TODAY)
    assert (sent["claim_validation_waiting"], sent["claim_approval_waiting"]) == (0, 2)
    told = f"La solicitud {validated.reference} espera aprobación"
    assert notices(s, world.finance) == [told]
    assert notices(s, world.finance2) == [f"Claim {validated.reference} waits for approval"]
    assert notices(s, world.patient) == []
