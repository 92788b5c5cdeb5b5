"""Sixteen sites randomising at the same moment never receive the same number (real commits)."""

import threading

from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db as _db
from tests import factories
from tests.blinding import factories as blinding_factories

THREADS = 16


def _prepare(app):
    with app.app_context():
        session = _db.session
        trial = factories.make_trial(session, blinded=True)
        blinding_factories.make_verified_list(session, trial)
        sites = [factories.make_site(session, trial) for _ in range(4)]
        subjects = [factories.make_subject(session, sites[i % 4]) for i in range(THREADS)]
        users = [factories.make_user(session, roles=("site",), sites=[s]) for s in sites]
        session.commit()
        ids = [(s.id, users[i % 4].id) for i, s in enumerate(subjects)]
        _db.session.remove()
        return ids


def _randomise(app, subject_id, user_id, barrier, results):
    from flask_babel import force_locale

    from app.auth.models import User
    from app.blinding.services.randomise import randomise
    from app.trials.models import Subject

    with app.app_context(), force_locale("en"):
        session = _db.session
        barrier.wait(timeout=20)
        for _attempt in range(40):  # a site told "someone randomised at the same moment" retries
            try:
                done = randomise(session, session.get(Subject, subject_id), strata={"sex": "M"},
                                 eligible=True, by=session.get(User, user_id))
                number = done.number
                session.commit()
                results.append(number)
                break
            except DomainError as error:
                session.rollback()
                if "same moment" not in str(error):
                    results.append(str(error))
                    break
        else:
            results.append("gave up")
        _db.session.remove()


def test_sixteen_simultaneous_randomisations_get_sixteen_different_numbers(race_app):
    ids = _prepare(race_app)
    barrier = threading.Barrier(THREADS)
    results = []
    threads = [threading.Thread(target=_randomise, args=(race_app, sid, uid, barrier, results))
               for sid, uid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [f"R{n:04d}" for n in range(1, THREADS + 1)]
    with race_app.app_context():
        from app.blinding.models import Randomisation, RandomisationSlot

        taken = _db.session.execute(select(RandomisationSlot.number, RandomisationSlot.subject_id)
                                    .where(RandomisationSlot.subject_id.is_not(None))).all()
        assert len(taken) == THREADS and len({s for _n, s in taken}) == THREADS
        assert len(_db.session.scalars(select(Randomisation)).all()) == THREADS
        _db.session.remove()
