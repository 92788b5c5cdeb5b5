"""Demo blinding: arms for the blinded trial's kits, a verified list, randomised subjects."""

import random

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import User, UserRole
from app.auth.services import hash_password
from app.blinding.models import KitArm, RandomisationList
from app.blinding.services.lists import generate_list, verify_list
from app.blinding.services.randomise import randomise
from app.core.models import utcnow
from app.stock.api import Kit
from app.trials.api import Subject

DEMO_TRIAL = "ONC-2024-017"
CHECKER = ("ciego2@demo.example", "Andrés Molina (estadístico no ciego)")


def seed_blinding(session, trials, users, report):
    """Give every kit of the blinded demo trial an arm; verify a list; randomise subjects."""
    trial = trials.get(DEMO_TRIAL)
    if trial is None or session.scalar(select(RandomisationList.id).where(
            RandomisationList.trial_id == trial.id)):
        report.append("blinding demo already present")
        return
    rng = random.Random(2026)
    now = utcnow()
    kits = session.scalars(select(Kit).where(Kit.trial_id == trial.id).where(
        ~Kit.id.in_(select(KitArm.kit_id))).order_by(Kit.kit_number)).all()
    session.add_all([KitArm(kit_id=k.id, arm=rng.choice(("A", "B")), recorded_at=now)
                     for k in kits])
    maker = next(u for u in users.values() if "unblinded" in u.roles)
    checker = _second_unblinded(session, report)
    rlist = generate_list(session, trial, name="ONC-2024-017 producción v1",
                          purpose="production", by=maker, seed="demo-seed-2026",
                          parameters={"arms": [["A", 1], ["B", 1]], "block_sizes": [4, 6],
                                      "per_stratum": 60, "strata": [
                                          {"name": "ECOG", "levels": ["0-1", "2"]}]})
    verify_list(session, rlist, by=checker, password=DEMO_PASSWORD)
    site_users = {u.id: u for u in users.values() if "site" in u.roles}
    done = 0
    enrolled = session.scalars(select(Subject).where(
        Subject.trial_id == trial.id, Subject.status == "enrolled").order_by(Subject.code)).all()
    pairs = [(subject, next((u for u in site_users.values() if subject.site_id in u.site_ids),
                            None)) for subject in enrolled]
    pairs = [(subject, by) for subject, by in pairs if by is not None]
    # The last of them is left for the site to randomise in the demo.
    for subject, by in pairs[:-1]:
        randomise(session, subject, strata={"ECOG": rng.choice(("0-1", "2"))}, eligible=True,
                  by=by)
        done += 1
    report.append(f"gave {len(kits)} demo kits an arm, verified list {rlist.name} and "
                  f"randomised {done} subjects")


def _second_unblinded(session, report):
    """The second unblinded account that verifies lists (created once)."""
    user = session.scalar(select(User).where(User.email == CHECKER[0]))
    if user is None:
        user = User(email=CHECKER[0], full_name=CHECKER[1], language="es",
                    password_hash=hash_password(DEMO_PASSWORD), password_changed_at=utcnow())
        user.role_links = [UserRole(role="unblinded")]
        session.add(user)
        session.flush()
        report.append(f"created user {CHECKER[0]} (unblinded)")
    return user
