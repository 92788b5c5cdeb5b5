"""Emergency code break: one subject, reason, e-signature; arm to the breaker only; told at once."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.blinding.models import CodeBreak
from app.blinding.services.randomise import arm_of_subject, randomise
from app.esign.models import Signature
from app.notify.models import Notice, OutboxMessage
from tests.factories import PASSWORD


def _world(db, make, blinding):
    world = blinding.make_world()
    subject = make.subject(world["site"])
    randomise(db.session, subject, strata={"sex": "F"}, eligible=True, by=world["user"])
    monitor = make.user(roles=("monitor",), sites=[world["site"]])
    db.session.commit()
    return world, subject, monitor


def _break(client, subject, **form):
    data = {"reason": "Anaphylaxis; treating physician must know", "adverse_event": "y",
            "confirm": "y", "password": PASSWORD, **form}
    return client.post(f"/blinding/subjects/{subject.id}/break", data=data)


def test_an_investigator_breaks_the_code_sees_that_arm_and_the_monitor_is_told_without_it(
        client, db, make, blinding, login, app):
    app.config["CODE_BREAK_SPONSOR_EMAILS"] = ("sponsor@example.org",)
    try:
        world, subject, monitor = _world(db, make, blinding)
        arm = arm_of_subject(db.session, subject)
        login(world["user"])
        response = _break(client, subject)
        record = db.session.scalar(select(CodeBreak).where(CodeBreak.subject_id == subject.id))
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/blinding/code-breaks/{record.id}")
        page = client.get(f"/blinding/code-breaks/{record.id}").get_data(as_text=True)
        assert f'id="revealed-arm">Treatment of subject {subject.code}: <strong>{arm}</strong>' \
            in page
        assert record.adverse_event is True and record.broken_by_id == world["user"].id
        signature = db.session.scalar(select(Signature).where(
            Signature.entity_type == "code_break", Signature.entity_id == str(record.id)))
        assert signature.meaning == "code_broken"
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.action == "code_broken", AuditEntry.entity_id == str(subject.id)))
        notice = db.session.scalar(select(Notice).where(Notice.user_id == monitor.id))
        assert notice.message == (f"Code broken for subject {subject.code} "
                                  f"({world['trial'].protocol_code})")
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert sorted(m.recipient for m in mails) == sorted([monitor.email,
                                                             "sponsor@example.org"])
        for text in [notice.message, *(m.subject + m.body for m in mails)]:
            assert f">{arm}<" not in text and f" {arm} " not in f" {text} ".replace(
                subject.code, "")
        # The monitor sees the log and the mark, not the arm.
        login(monitor)
        page = client.get(f"/blinding/code-breaks/{record.id}").get_data(as_text=True)
        assert "revealed-arm" not in page
        assert "code-broken" in client.get("/blinding/subjects").get_data(as_text=True)
        assert "code-broken" in client.get(
            f"/blinding/subjects/{subject.id}").get_data(as_text=True)
        # Breaking twice is recorded twice.
        login(world["user"])
        _break(client, subject)
        assert len(db.session.scalars(select(CodeBreak).where(
            CodeBreak.subject_id == subject.id)).all()) == 2
    finally:
        app.config["CODE_BREAK_SPONSOR_EMAILS"] = ()


def test_bad_code_breaks_are_refused(client, db, make, blinding, login):
    world, subject, monitor = _world(db, make, blinding)
    login(monitor)
    assert _break(client, subject).status_code == 403
    login(world["user"])
    page = _break(client, subject, reason="").get_data(as_text=True)
    assert "State why the code must be broken." in page
    page = _break(client, subject, password="wrong").get_data(as_text=True)
    assert "revealed-arm" not in page and "password" in page.lower()
    assert db.session.scalar(select(CodeBreak.id)) is None
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "signature_failed"))
    other = make.subject(make.site(world["trial"]))
    db.session.commit()
    assert _break(client, other).status_code == 404
