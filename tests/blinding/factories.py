"""Blinding records for tests: kit arms, verified lists, randomised subjects."""

from app.blinding.models import KitArm
from app.blinding.services.lists import generate_list, verify_list
from app.core.models import utcnow
from tests import factories
from tests.stock import factories as stock_factories

TWO_ARMS = {"arms": [["A", 1], ["B", 1]], "block_sizes": [2, 4], "per_stratum": 40,
            "strata": [{"name": "sex", "levels": ["M", "F"]}]}


def give_arms(session, kits, arms):
    """Record the arm of each kit (arms cycles over the kits)."""
    now = utcnow()
    for index, kit in enumerate(kits):
        session.add(KitArm(kit_id=kit.id, arm=arms[index % len(arms)], recorded_at=now))
    session.flush()
    return kits


def make_verified_list(session, trial, parameters=None, purpose="production", seed="test",
                       name=None):
    """Generate a list as one unblinded user and verify it as another."""
    maker = factories.make_user(session, roles=("unblinded",))
    checker = factories.make_user(session, roles=("unblinded",))
    rlist = generate_list(session, trial, name=name or f"L{factories.next_number()}",
                          purpose=purpose, parameters=parameters or TWO_ARMS, by=maker,
                          seed=seed)
    return verify_list(session, rlist, by=checker, password=factories.PASSWORD)


def make_world(session, arms=("A", "B"), kits_per_arm=2):
    """A blinded trial, a site with kits of each arm, a verified list, a site user."""
    trial = factories.make_trial(session, blinded=True)
    visit = factories.make_visit(session, trial, 1)
    site = factories.make_site(session, trial)
    kits = stock_factories.make_site_kits(session, site, kits_per_arm * len(arms))
    give_arms(session, kits, list(arms))
    rlist = make_verified_list(session, trial)
    user = factories.make_user(session, roles=("site",), sites=[site])
    return dict(trial=trial, visit=visit, site=site, kits=kits, rlist=rlist, user=user)
