"""Factories with sensible defaults; every test states only what it cares about.

The people and trials every domain needs live here; each domain's own records live in
tests/<domain>/factories.py (stock: products, lots, depots, kits; shipments: a ready world and
shipments in each state; reimbursement: a world with a patient and claims in each state), built
on these. Each factory exists once; all share one sequence, so generated codes never collide.
"""

import itertools
import sys
from datetime import date

from app.auth.models import User, UserRole
from app.auth.services import hash_password
from app.trials.models import Site, Subject, SubjectIdentity, Trial, TrialVisit

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)


def next_number():
    """Return the next number of the one sequence every factory draws its codes from."""
    return next(_seq)


def make_user(session, roles=("admin",), sites=(), password=PASSWORD, **values):
    n = next_number()
    values.setdefault("email", f"user{n}@test.example")
    values.setdefault("full_name", f"Test User {n}")
    values.setdefault("language", "en")  # tests read English unless they ask for Spanish
    user = User(password_hash=hash_password(password) if password else None, **values)
    user.role_links = [UserRole(role=r) for r in roles]
    user.sites = list(sites)
    session.add(user)
    session.flush()
    return user


def make_trial(session, **values):
    n = next_number()
    defaults = dict(protocol_code=f"TST-{n:04d}", title=f"Test trial {n}", sponsor="Sponsor SA",
                    phase="III", kind="drug", status="active", blinded=False, countries="ES",
                    contact_name="Contact", contact_address="Calle 1, Madrid",
                    contact_phone="+34 910 000 000")
    trial = Trial(**{**defaults, **values})
    session.add(trial)
    session.flush()
    return trial


def make_visit(session, trial, number=1, **values):
    defaults = dict(name=f"Visit {number}", day_offset=number * 14, window_before=2,
                    window_after=2)
    visit = TrialVisit(trial=trial, number=number, **{**defaults, **values})
    session.add(visit)
    session.flush()
    return visit


def make_site(session, trial=None, **values):
    n = next_number()
    trial = trial or make_trial(session)
    defaults = dict(site_number=f"{n:03d}", hospital=f"Hospital {n}", address="Calle 2, Madrid",
                    country="ES", principal_investigator="Dr. Test")
    site = Site(trial=trial, **{**defaults, **values})
    session.add(site)
    session.flush()
    return site


def make_subject(session, site=None, identity=None, **values):
    n = next_number()
    site = site or make_site(session)
    defaults = dict(code=f"S-{n:04d}", status="enrolled", enrolment_date=date(2026, 1, 10))
    subject = Subject(trial_id=site.trial_id, site=site, **{**defaults, **values})
    session.add(subject)
    session.flush()
    if identity:
        session.add(SubjectIdentity(subject_id=subject.id, **identity))
        session.flush()
    return subject


class Factories:
    """A factory module's functions with the session already given.

    ``make.trial()`` calls ``make_trial(session)`` of this module; ``Factories(session,
    tests.stock.factories).make_kits(trial)`` calls that module's ``make_kits(session, trial)``.
    """

    def __init__(self, session, module=None):
        self.session = session
        self.module = module or sys.modules[__name__]

    def __getattr__(self, name):
        fn = getattr(self.module, f"make_{name}", None) or getattr(self.module, name)
        return lambda *args, **kwargs: fn(self.session, *args, **kwargs)
