"""Demo blinding: arms for the blinded trial's kits, a verified list, randomised subjects,
and two masking batch records (one released by QA, one in production)."""

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import User, UserRole
from app.auth.services import hash_password
from app.blinding.models import BatchRecord, KitArm, RandomisationList
from app.blinding.services import batch_lines, batch_records
from app.blinding.services.lists import generate_list, verify_list
from app.blinding.services.randomise import randomise
from app.core import clock
from app.core.models import utcnow
from app.stock.api import Kit, Lot, Product
from app.trials.api import Subject

DEMO_TRIAL = "ONC-2024-017"
CHECKER = ("ciego2@demo.example", "Andrés Molina (estadístico no ciego)")
SECOND_OPERATOR = ("acondicionamiento@demo.example", "Rosa Prieto (técnica de acondicionamiento)")


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
    seed_batch_records(session, trial, users, report)


def _second_unblinded(session, report):
    """The second unblinded account that verifies lists (created once)."""
    return _demo_user(session, CHECKER, "unblinded", report)


def _demo_user(session, who, role, report):
    email, name = who
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, language="es",
                    password_hash=hash_password(DEMO_PASSWORD), password_changed_at=utcnow())
        user.role_links = [UserRole(role=role)]
        session.add(user)
        session.flush()
        report.append(f"created user {email} ({role})")
    return user


def _quarantine_lot(session, trial, number, product, today):
    lot = Lot(number=number, product_id=product.id, trial_id=trial.id, status="quarantine",
              manufacturer="Distribuidor (acondicionamiento)", manufactured_on=today,
              expires_on=today + timedelta(days=540))
    session.add(lot)
    session.flush()
    return lot


def _record(session, trial, by, number, order, matched, output):
    record = batch_records.create_record(session, trial, {
        "number": number, "sponsor_order": order, "kind": "placebo",
        "description": "Comprimidos de placebo iguales a IBX-201 100 mg (color, tamaño, "
                       "grabado); acondicionados en blísteres de 28.",
        "matched_lot_id": matched.id, "output_lot_id": output.id,
        "quantity_unit": "comprimidos", "expected_quantity": Decimal("5600"),
        "yield_min_pct": Decimal("97"), "yield_max_pct": Decimal("100.5")}, by=by)
    for material, lot, unit, issued in (
            ("Celulosa microcristalina", "MCC-2611-04", "g", "1200"),
            ("Lactosa monohidrato", "LAC-2609-11", "g", "800"),
            ("Blíster PVC/Alu", "BLI-2610-02", "unidades", "210")):
        batch_lines.add_material(session, record, material=material, supplier_lot=lot,
                                 unit=unit, issued=Decimal(issued))
    for instruction in ("Despeje de línea y verificación de materiales",
                        "Compresión de los comprimidos de placebo",
                        "Acondicionamiento en blísteres de 28 comprimidos"):
        batch_lines.add_step(session, record, instruction=instruction)
    batch_lines.add_check(session, record, kind="appearance",
                          name="Aspecto frente al comprimido activo IBX24A01")
    batch_lines.add_check(session, record, kind="weight", name="Peso medio de 20 comprimidos",
                          unit="mg", lower=Decimal("237.5"), upper=Decimal("262.5"))
    batch_lines.add_check(session, record, kind="count", name="Comprimidos por blíster",
                          unit="comprimidos", lower=Decimal("28"), upper=Decimal("28"))
    batch_records.start_production(session, record, by=by)
    return record


def seed_batch_records(session, trial, users, report):
    """A released placebo batch record (its lot may feed kits) and one in production."""
    if session.scalar(select(BatchRecord.id).limit(1)) is not None:
        return
    operator = next((u for u in users.values() if "logistics" in u.roles), None)
    qa = next((u for u in users.values() if "qp" in u.roles), None)
    active = session.scalar(select(Lot).where(Lot.number == "IBX24A01"))
    placebo = session.scalar(select(Product).where(Product.kind == "placebo"))
    if None in (operator, qa, active, placebo):
        return
    second = _demo_user(session, SECOND_OPERATOR, "logistics", report)
    today = clock.today()
    done = _record(session, trial, operator, "BR-2026-031", "OC-ONC-2026-007", active,
                   _quarantine_lot(session, trial, "PLB26A01", placebo, today))
    for step in done.steps:
        batch_lines.perform_step(session, step, by=operator, password=DEMO_PASSWORD)
        batch_lines.check_step(session, step, by=second, password=DEMO_PASSWORD)
    appearance, weight, count = done.checks
    batch_lines.record_check(session, appearance, by=operator, appearance_match=True,
                             comment="Color, tamaño y grabado iguales")
    batch_lines.record_check(session, weight, by=operator, result=Decimal("249.8"))
    batch_lines.record_check(session, count, by=second, result=Decimal("28"))
    for material, used, returned, wasted in zip(
            done.materials, ("1150", "770", "200"), ("40", "25", "6"), ("10", "5", "4"), strict=True):
        batch_lines.reconcile_material(session, material, by=operator, used=Decimal(used),
                                       returned=Decimal(returned), wasted=Decimal(wasted))
    batch_lines.record_yield(session, done, by=operator, actual=Decimal("5544"))
    deviation = batch_lines.raise_deviation(
        session, done, by=operator, description="Parada de 20 minutos de la compresora por "
        "atasco del alimentador; comprimidos del intervalo apartados y desechados.")
    batch_lines.close_deviation(session, deviation, by=qa, impact="Sin impacto en la calidad: "
                                "controles de peso conformes antes y después.",
                                capa="Revisión del alimentador incluida en el mantenimiento "
                                "preventivo semanal.")
    batch_records.submit_for_release(session, done, by=operator)
    batch_records.release_record(session, done, by=qa, password=DEMO_PASSWORD)
    running = _record(session, trial, operator, "BR-2026-034", "OC-ONC-2026-012", active,
                      _quarantine_lot(session, trial, "PLB26B01", placebo, today))
    first = running.steps[0]
    batch_lines.perform_step(session, first, by=operator, password=DEMO_PASSWORD)
    batch_lines.check_step(session, first, by=second, password=DEMO_PASSWORD)
    batch_lines.perform_step(session, running.steps[1], by=operator, password=DEMO_PASSWORD)
    batch_lines.record_check(session, running.checks[0], by=operator, appearance_match=True)
    report.append("released placebo batch record BR-2026-031 (lot PLB26A01); BR-2026-034 "
                  "(lot PLB26B01) in production, step 2 waiting for its second-person check")
