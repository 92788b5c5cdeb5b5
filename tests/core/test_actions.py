"""The one commit path of views: perform() commits once, or rolls back and keeps only what must stay."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.audit.services import set_reason
from app.core.actions import perform
from app.core.errors import DomainError
from app.esign.services import sign
from app.trials.models import Trial
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("english")


def _count(db, action):
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


def _rename(db, trial, title):
    set_reason(db.session, "test of the commit path")
    trial.title = title
    db.session.flush()


def test_success_commits_once_flashes_and_redirects(app, db, make):
    trial = make.trial(title="Before")
    db.session.commit()
    with app.test_request_context(method="POST"):
        response = perform(lambda: _rename(db, trial, "After"), success="Saved.",
                           next_url="/trials/")
        assert response.status_code == 302 and response.headers["Location"] == "/trials/"
        assert get_flashed_messages(with_categories=True) == [("success", "Saved.")]
    db.session.expire_all()
    assert db.session.get(Trial, trial.id).title == "After"


def test_a_refusal_rolls_everything_back_and_shows_the_message(app, db, make):
    trial = make.trial(title="Before")
    db.session.commit()

    def refused():
        _rename(db, trial, "Half-saved")
        raise DomainError("Not now.")

    with app.test_request_context(method="POST"):
        response = perform(refused, success="Saved.", next_url="/back")
        assert response.headers["Location"] == "/back"
        assert get_flashed_messages(with_categories=True) == [("danger", "Not now.")]
    db.session.expire_all()
    assert db.session.get(Trial, trial.id).title == "Before"


def test_a_refused_signature_keeps_only_its_failed_attempt(app, db, make):
    trial = make.trial(title="Before")
    qp = make.user(roles=("qp",))
    db.session.commit()
    failed_before = _count(db, "signature_failed")

    def change_then_sign():
        _rename(db, trial, "Changed under a signature")
        sign(db.session, trial, meaning="approved", signer=qp, password=PASSWORD + "x")

    with app.test_request_context(method="POST"):
        perform(change_then_sign, success="Signed.", next_url="/back")
        assert get_flashed_messages(with_categories=True) == [
            ("danger", "The password is not correct. The record was not signed.")]
    db.session.expire_all()
    assert db.session.get(Trial, trial.id).title == "Before"
    assert _count(db, "signature_failed") == failed_before + 1
    assert db.session.get(type(qp), qp.id).failed_signatures == 1
