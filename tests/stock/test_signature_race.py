"""One signature per meaning per record and signer role: the database and the service agree."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.esign.models import Signature
from app.extensions import db as _db
from tests import factories
from tests.factories import PASSWORD
from tests.stock import factories as stock_factories

THREADS = 16


def _prepare(app):
    """Commit a site with one kit, a frozen review and 16 site users; return their ids."""
    from app.stock.services.accountability import freeze

    with app.app_context():
        session = _db.session
        trial = factories.make_trial(session)
        site = factories.make_site(session, trial)
        kit = stock_factories.make_kits(session, trial, 1)[0]
        stock_factories.ship_to_site(session, [kit], site)
        users = [factories.make_user(session, roles=("site",), sites=[site])
                 for _ in range(THREADS)]
        monitors = [factories.make_user(session, roles=("monitor",)) for _ in range(THREADS)]
        review = freeze(session, site=site)
        session.commit()
        ids = dict(review=review.id, users=[u.id for u in users],
                   monitors=[m.id for m in monitors])
        _db.session.remove()
        return ids


def _sign(app, review_id, user_id, meaning, barrier, results):
    from flask_babel import force_locale

    from app.auth.models import User
    from app.stock.models import AccountabilityReview
    from app.stock.services.accountability import sign_review

    with app.app_context(), force_locale("en"):
        session = _db.session
        try:
            barrier.wait(timeout=60)  # before any connection: the pool holds 15
            user = session.get(User, user_id)
            review = session.get(AccountabilityReview, review_id)
            sign_review(session, review, meaning=meaning, signer=user, password=PASSWORD)
            session.commit()
            results.append("won")
        except DomainError as error:
            session.rollback()
            results.append(str(error))
        finally:
            _db.session.remove()


def _race(app, review_id, user_ids, meaning):
    barrier = threading.Barrier(len(user_ids))
    results = []
    threads = [threading.Thread(target=_sign, args=(app, review_id, uid, meaning, barrier,
                                                    results)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _stored(app, review_id, meaning):
    with app.app_context():
        count = _db.session.scalar(select(func.count()).select_from(Signature).where(
            Signature.entity_type == "accountability_review",
            Signature.entity_id == str(review_id), Signature.meaning == meaning))
        _db.session.remove()
        return count


def test_sixteen_parallel_signings_store_exactly_one_per_meaning(race_app):
    ids = _prepare(race_app)
    for meaning, users in (("submitted", ids["users"]), ("verified", ids["monitors"])):
        results = _race(race_app, ids["review"], users, meaning)
        assert len(results) == THREADS
        assert results.count("won") == 1, results
        assert _stored(race_app, ids["review"], meaning) == 1
        losers = {r for r in results if r != "won"}
        assert losers <= {
            "This review cannot be signed with that meaning by you now.",
            f"This record is already signed with the meaning “{meaning.capitalize()}” "
            "by someone in the same role.",
            "Someone else signed or changed this record at the same moment. "
            "Reload the page and try again."}, losers


def test_the_database_refuses_a_second_signature_of_the_same_meaning_and_role(race_app):
    ids = _prepare(race_app)
    with race_app.app_context():
        session = _db.session
        row = dict(signer_id=ids["users"][0], printed_name="x", meaning="submitted",
                   entity_type="accountability_review", entity_id=str(ids["review"]),
                   content_hash="0" * 64, role="site")
        session.add(Signature(**row))
        session.commit()
        session.add(Signature(**{**row, "signer_id": ids["users"][1]}))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(Signature(**{**row, "role": "monitor"}))  # another role: its own line
        session.commit()
        _db.session.remove()
