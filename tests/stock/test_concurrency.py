"""Two users acting on the same kit at the same moment: exactly one wins (real commits)."""

import threading

import pytest

from app.core.errors import DomainError
from app.extensions import db as _db
from app.stock.services.catalog import site_location
from app.stock.services.ledger import move_kits, transition, verify_balances
from app.stock.services.site import dispense_kit, propose_kit
from tests import factories
from tests.stock import factories as stock_factories


def _prepare(app):
    """Commit a site with one kit, a subject and two site users; return their ids."""
    with app.app_context():
        session = _db.session
        trial = factories.make_trial(session)
        visit = factories.make_visit(session, trial, 1)
        site = factories.make_site(session, trial)
        subject = factories.make_subject(session, site, enrolment_date=None)
        users = [factories.make_user(session, roles=("site", "logistics"), sites=[site])
                 for _ in range(2)]
        kit = stock_factories.make_kits(session, trial, 1)[0]
        stock_factories.ship_to_site(session, [kit], site)
        session.commit()
        ids = dict(kit=kit.id, subject=subject.id, visit=visit.id, site=site.id,
                   users=[u.id for u in users])
        _db.session.remove()
        return ids


def _act(app, action, ids, user_id, barrier, results):
    from flask_babel import force_locale

    from app.auth.models import User
    from app.stock.models import Kit
    from app.trials.models import Subject, TrialVisit

    with app.app_context(), force_locale("en"):
        session = _db.session
        try:
            user = session.get(User, user_id)
            kit = session.get(Kit, ids["kit"])
            subject = session.get(Subject, ids["subject"])
            visit = session.get(TrialVisit, ids["visit"])
            proposed = propose_kit(session, subject) if action == "dispense" else None
            barrier.wait(timeout=10)
            if action == "dispense":
                dispense_kit(session, subject, visit, proposed, kit.kit_number, by=user)
            elif action == "quarantine":
                transition(session, kit, "quarantined", "quarantine", by=user, reason="race")
            else:
                depot = session.get(type(kit.location), ids["depot"])
                move_kits(session, [kit], "in_transit", "transfer_out", by=user,
                          to_location=depot)
            session.commit()
            results.append("won")
        except DomainError as error:
            session.rollback()
            results.append(str(error))
        finally:
            _db.session.remove()


@pytest.mark.parametrize("action", ["dispense", "quarantine", "ship"])
def test_exactly_one_of_two_users_wins(race_app, action):
    ids = _prepare(race_app)
    with race_app.app_context():
        from app.trials.models import Site

        other = factories.make_site(_db.session, _db.session.get(Site, ids["site"]).trial)
        ids["depot"] = site_location(_db.session, other).id
        _db.session.commit()
        _db.session.remove()
    barrier = threading.Barrier(2)
    results = []
    threads = [threading.Thread(target=_act, args=(race_app, action, ids, uid, barrier,
                                                   results)) for uid in ids["users"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results, key=lambda r: r != "won")[0] == "won", results
    assert results.count("won") == 1, results
    loser = next(r for r in results if r != "won")
    assert "changed by someone else" in loser
    with race_app.app_context():
        assert verify_balances(_db.session) == []
        from app.stock.models import Dispensing

        count = _db.session.query(Dispensing).filter_by(kit_id=ids["kit"]).count()
        assert count == (1 if action == "dispense" else 0)
        _db.session.remove()
